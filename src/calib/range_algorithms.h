#pragma once
/// \file
/// Calibration range algorithms: activation observers that see every calibration
/// batch of one tensor and produce the clip range [min, max], and the weight
/// quantizer. The math of each algorithm is in its own file (minmax.cpp,
/// percentile.cpp, ifmr.cpp, hfmg.cpp, arq.cpp) and in docs/algorithms.md.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ptqc/range_config.h"
#include "ptqc/tensor.h"

namespace ptqc {

/// Sees the values of one activation tensor over all calibration batches, keeping
/// O(num_bins) memory (never the activations themselves), then yields its range.
class ActivationObserver {
 public:
  virtual ~ActivationObserver() = default;
  /// Adds one batch's values. Non-finite values are an error for the caller to report first.
  virtual void observe(std::span<const float> values) = 0;
  /// The chosen clip range; [0, 0] when nothing non-zero was seen.
  virtual ActivationRange range() const = 0;
};

/// A new observer for \p config.
std::unique_ptr<ActivationObserver> make_activation_observer(const RangeAlgorithmConfig& config);

/// scale_d and offset_d of an activation range (docs/quantization.md):
/// the range is widened to contain 0 (and made non-empty), then
/// scale_d = (max - min) / 255, offset_d = -round(min / scale_d) - 128, clamped to [-128, 127].
struct ActivationQuantParams {
  float scale = 1.0f;
  int32_t offset = 0;
};
ActivationQuantParams activation_quant_params(ActivationRange range, bool asymmetric = true);

/// INT8 symmetric weights with their per-channel (or per-tensor) scales.
struct QuantizedWeights {
  std::vector<float> scales;  ///< scale_w[c], one per channel of channel_axis (or one)
  Tensor values;              ///< int8, the shape of the float weights
};

/// Quantizes float32 weights \p w symmetrically: per channel along \p channel_axis,
/// or per tensor when channel_axis < 0. See arq.cpp for the ARQ search.
QuantizedWeights quantize_weights(const Tensor& w, int64_t channel_axis, WeightAlgorithm algorithm);

}  // namespace ptqc
