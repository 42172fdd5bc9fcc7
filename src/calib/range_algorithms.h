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

#include "ptqc/tensor.h"

namespace ptqc {

/// A closed float range; quantization widens it to contain 0.
struct ActivationRange {
  float min = 0.0f;
  float max = 0.0f;
};

/// The activation algorithms of the quantization config ("act_algo").
enum class ActivationAlgorithm { kMinMax, kPercentile, kIfmr, kHfmg };
/// What HFMG minimises when it picks the clip range from the histogram.
enum class HistogramObjective { kMse, kKl };

/// Parameters of the activation algorithms (AMCT's vocabulary and defaults).
struct RangeAlgorithmConfig {
  ActivationAlgorithm algorithm = ActivationAlgorithm::kIfmr;
  double max_percentile = 0.999999;  ///< percentile / IFMR start for the upper bound
  double min_percentile = 0.999999;  ///< the same for the lower bound (of the negative tail)
  double search_start = 0.7;         ///< IFMR: clip factors searched in [search_start, search_end]
  double search_end = 1.3;
  double search_step = 0.01;
  int64_t num_bins = 4096;           ///< histogram bins (1024..8192)
  HistogramObjective objective = HistogramObjective::kMse;
  bool asymmetric = true;            ///< false: a symmetric range [-a, a] (offset 0)
};

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

/// Weight quantization algorithms ("wts_algo"). kLearnedRounding takes ARQ's scales; the
/// compiler then chooses each weight's rounding from calibration data (quant/weight_rounding.h).
enum class WeightAlgorithm { kArq, kMinMax, kLearnedRounding };

/// INT8 symmetric weights with their per-channel (or per-tensor) scales.
struct QuantizedWeights {
  std::vector<float> scales;  ///< scale_w[c], one per channel of channel_axis (or one)
  Tensor values;              ///< int8, the shape of the float weights
};

/// Quantizes float32 weights \p w symmetrically: per channel along \p channel_axis,
/// or per tensor when channel_axis < 0. See arq.cpp for the ARQ search.
QuantizedWeights quantize_weights(const Tensor& w, int64_t channel_axis, WeightAlgorithm algorithm);

}  // namespace ptqc
