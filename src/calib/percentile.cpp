#include "calib/range_rules.h"

namespace ptqc {

/// act_algo "percentile": both tails of the whole distribution are cut,
///   max = Q(max_percentile),  min = Q(1 - min_percentile)
/// where Q is Histogram::quantile (linear inside a bin, clamped to the observed extremes),
/// as AMCT reads max_percentile in the ascending and min_percentile in the descending order
/// of the values. Symmetric: [-a, a] with a = max(|min|, |max|).
ActivationRange percentile_range(const Histogram& histogram, const RangeAlgorithmConfig& config) {
  const ActivationRange clip{static_cast<float>(histogram.quantile(1.0 - config.min_percentile)),
                             static_cast<float>(histogram.quantile(config.max_percentile))};
  return config.asymmetric ? clip : symmetric_range(clip);
}

}  // namespace ptqc
