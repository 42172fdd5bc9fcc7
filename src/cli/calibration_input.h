#pragma once
/// \file
/// The calibration batches of a quantization config for a model: the config's list
/// file read by CalibrationDataset, batched by the N of the model's first input.

#include <functional>

#include "calib/calibration_runner.h"
#include "ptqc/graph.h"
#include "ptqc/quant_config.h"

namespace ptqc::cli {

struct CalibrationInput {
  std::function<BatchSource()> make_source;  ///< a fresh pass over the calibration set
  int64_t batches = -1;                      ///< batches one pass yields
  std::string data_fingerprint;              ///< CalibrationDataset::data_fingerprint
};

/// The batches of \p config for \p graph (inputs with bound dims; the batch size is the
/// N of the inputs). Errors of the dataset (missing files, sizes, NaN) surface when read.
CalibrationInput calibration_input(const QuantConfig& config, const Graph& graph);

/// The batches of accuracy_target.eval_list_file (every line, read like the calibration list:
/// sample paths relative to dataset_path, the same inputs and preprocessing).
/// \pre config.accuracy_target with a non-empty eval_list_file.
CalibrationInput evaluation_input(const QuantConfig& config, const Graph& graph);

}  // namespace ptqc::cli
