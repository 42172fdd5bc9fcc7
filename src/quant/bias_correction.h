#pragma once
/// \file
/// Empirical bias correction. A solved layer's INT8 output y_q differs from its float
/// output y by an error whose per-channel mean is not zero when rounding errors do not
/// cancel: a high-gain depthwise filter (taps ±40 that sum to ~0) on a nearly constant
/// input turns each tap's rounding residue into a systematic shift of the whole channel.
/// With e_c = mean of (y_q - y) over the calibration data at output channel c, the layer's
/// int32 bias becomes
///   bias_q[c] <- sat_int32(bias_q[c] - round_half_even(e_c / deq_scale[c]))
/// which removes the shift (to within half an accumulator step) and leaves the noise.
/// Each layer is measured in isolation: its INT8 form reads the float model's input, so
/// one pass over the data serves every layer and the corrections do not compound.

#include <map>
#include <string>

#include "calib/calibration_runner.h"
#include "quant/layer_solver.h"

namespace ptqc {

struct BiasCorrectionSummary {
  size_t layers = 0;           ///< layers whose bias changed
  int64_t batches = 0;
  double largest_shift = 0;    ///< max |e_c| over all layers and channels, in output units
  std::string largest_layer;   ///< where it was
};

/// Corrects the biases of the weighted layers of \p solved (pooling layers have none) by
/// running \p float_graph and every layer's INT8 form over the batches of \p batches.
/// \p shapes: every value's type and shape (the calibration run's).
BiasCorrectionSummary correct_biases(const Graph& float_graph, std::map<std::string, SolvedLayer>& solved,
                                     const std::map<std::string, ValueInfo>& shapes, const BatchSource& batches,
                                     int threads);

}  // namespace ptqc
