#include "cli/calibration_input.h"

#include <memory>

#include "ptqc/calibration_dataset.h"
#include "ptqc/error.h"

namespace ptqc::cli {

CalibrationInput calibration_input(const QuantConfig& config, const Graph& graph) {
  if (graph.inputs.empty() || graph.inputs[0].dims.empty() || graph.inputs[0].dims[0] <= 0) {
    throw Error(ErrorCode::kInvalidValue,
                "the calibration batch size is the N of --input_shape: bind the first dim of the model inputs (e.g. --input_shape=\"" +
                    (graph.inputs.empty() ? std::string("input") : graph.inputs[0].name) + ":1,...\")");
  }
  const int64_t batch = graph.inputs[0].dims[0];
  // Constructing the dataset checks the whole list before calibration starts.
  auto dataset = std::make_shared<CalibrationDataset>(config, graph.inputs, batch);
  CalibrationInput input;
  input.batches = dataset->batch_count();
  input.make_source = [dataset]() -> BatchSource {
    dataset->rewind();
    return [dataset](std::vector<Tensor>& inputs) { return dataset->next_batch(inputs); };
  };
  return input;
}

}  // namespace ptqc::cli
