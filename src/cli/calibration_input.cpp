#include "cli/calibration_input.h"

#include <memory>

#include "ptqc/calibration_dataset.h"
#include "ptqc/error.h"

namespace ptqc::cli {

namespace {

/// An FP16 model runs in float32 inside ptqc but receives FP16 inputs (the .om keeps the
/// declared type): calibration samples are rounded the same way, whatever the file type.
void round_to_declared_types(std::vector<Tensor>& inputs, const std::vector<ValueInfo>& graph_inputs) {
  for (size_t i = 0; i < inputs.size() && i < graph_inputs.size(); ++i) {
    const DataType declared = graph_inputs[i].declared_dtype;
    if (declared == DataType::kUndefined || declared == inputs[i].dtype()) continue;
    inputs[i] = cast_tensor(cast_tensor(inputs[i], declared), inputs[i].dtype());
  }
}

}  // namespace

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
  input.data_fingerprint = dataset->data_fingerprint();
  const std::vector<ValueInfo> graph_inputs = graph.inputs;
  input.make_source = [dataset, graph_inputs]() -> BatchSource {
    dataset->rewind();
    return [dataset, graph_inputs](std::vector<Tensor>& inputs) {
      if (!dataset->next_batch(inputs)) return false;
      round_to_declared_types(inputs, graph_inputs);
      return true;
    };
  };
  return input;
}

CalibrationInput evaluation_input(const QuantConfig& config, const Graph& graph) {
  QuantConfig eval = config;
  eval.dataset.image_list_file = config.accuracy_target->eval_list_file;
  eval.dataset.list_key = config.accuracy_target->key_path + ".eval_list_file";
  eval.calibration_batch_num = -1;
  return calibration_input(eval, graph);
}

}  // namespace ptqc::cli
