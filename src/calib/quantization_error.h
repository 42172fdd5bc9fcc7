#pragma once
/// \file
/// The quantization MSE of a candidate activation range, read from a Histogram without the
/// values themselves: the objective of IFMR and of HFMG's "mse" search.

#include <utility>
#include <vector>

#include "calib/histogram.h"
#include "calib/range_algorithms.h"

namespace ptqc {

/// Estimates, for a candidate range, the mean of (x - x̂)² over the histogram's values, where
/// x̂ = (q - offset_d) * scale_d, q = sat_int8(round(x / scale_d) + offset_d) and
/// (scale_d, offset_d) = activation_quant_params(range, asymmetric). The representable range
/// is [lo, hi] = [(-128 - offset_d) * scale_d, (127 - offset_d) * scale_d]; then
///   N * MSE = Σ_{x < lo} (x - lo)² + Σ_{x > hi} (x - hi)² + n_in * scale_d² / 12
/// - the clipping terms are exact for the histogram read as each bin's count spread uniformly
///   over its support: the bin clamped to the observed [min, max] (so a value at the exact
///   max is not spread above it); a bin cut by lo or hi contributes the part beyond the cut;
/// - n_in counts the non-zero values inside [lo, hi]: each carries the rounding error of a
///   uniform density over a quantization step, scale_d² / 12; zeros are exact (x̂ = 0).
/// Evaluating a range costs O(1) after an O(num_bins) set-up.
class QuantizationErrorEstimate {
 public:
  explicit QuantizationErrorEstimate(const Histogram& histogram);

  /// The estimated MSE (0 for an empty histogram).
  double mse(ActivationRange range, bool asymmetric) const;

 private:
  /// Sums over the bins on one side of an edge e, with d = the distance from e to a bin's
  /// support center and l = the support's length: count = Σ c, first = Σ c d, second = Σ c (d² + l² / 12).
  struct Tail {
    double count = 0.0;
    double first = 0.0;
    double second = 0.0;
  };
  /// \p t seen from an edge \p shift further away: (d + shift)² = d² + 2 shift d + shift².
  static Tail shifted(const Tail& t, double shift);

  /// The values beyond a clip point: how many, and Σ (x - clip point)².
  struct Clipped {
    double count = 0.0;
    double squared_error = 0.0;
  };
  /// The values above \p x >= 0 (below \p x <= 0).
  Clipped clipped_above(double x) const;
  Clipped clipped_below(double x) const;
  /// The part of bin \p bin above (below) \p x.
  Clipped bin_above(int64_t bin, double x) const;
  Clipped bin_below(int64_t bin, double x) const;
  /// [begin, end]: bin \p bin clamped to the observed extremes.
  std::pair<double, double> support(int64_t bin) const;

  const Histogram& histogram_;
  std::vector<Tail> above_;  ///< above_[e]: the bins >= e
  std::vector<Tail> below_;  ///< below_[e]: the bins < e
};

}  // namespace ptqc
