#pragma once
/// \file
/// The calibration run: FP32 inference over the calibration batches, feeding each
/// observed activation into its range observer (histograms, not stored tensors), and
/// recording every value's type and shape for the compiler's later stages.

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "calib/range_algorithms.h"
#include "ptqc/executor.h"

namespace ptqc {

/// One activation to calibrate: a value of the graph and the algorithm for it.
struct ObservedActivation {
  std::string value;
  RangeAlgorithmConfig algorithm;
};

/// Fills its argument with the next batch (graph input order); false when done.
using BatchSource = std::function<bool(std::vector<Tensor>& inputs)>;

struct CalibrationResult {
  std::vector<ActivationRange> ranges;       ///< one per ObservedActivation, same order
  std::map<std::string, ValueInfo> values;   ///< dtype and shape of every value (first batch)
  int64_t batches = 0;
};

/// Runs \p executor over every batch of \p next_batch. \p expected_batches (or -1) is
/// only for the progress line, shown on stderr when \p show_progress.
/// A NaN or infinite activation is an E19030 error naming the value and the batch.
CalibrationResult run_calibration(Executor& executor, const std::vector<ObservedActivation>& activations,
                                  const BatchSource& next_batch, int64_t expected_batches, bool show_progress);

}  // namespace ptqc
