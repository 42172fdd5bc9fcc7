#pragma once
/// \file
/// The vocabulary of the calibration settings a QuantConfig carries: activation range
/// algorithms with their parameters and weight algorithms (AMCT's names and defaults). The
/// algorithms themselves are in src/calib/ (range_algorithms.h) and docs/algorithms.md.

#include <cstdint>

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

/// Weight quantization algorithms ("wts_algo"). kLearnedRounding takes ARQ's scales; the
/// compiler then chooses each weight's rounding from calibration data (quant/weight_rounding.h).
enum class WeightAlgorithm { kArq, kMinMax, kLearnedRounding };

}  // namespace ptqc
