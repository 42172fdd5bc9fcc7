#include <algorithm>
#include <cmath>
#include <limits>

#include "calib/quantization_error.h"
#include "calib/range_rules.h"

namespace ptqc {

/// act_algo "ifmr" (AMCT's Input Feature Map Reconstruction, from the histogram):
///   start:   max_0 = max(Q(max_percentile), 0),  min_0 = min(Q(1 - min_percentile), 0)
///            (symmetric: a_0 = max(|min_0|, max_0), [min_0, max_0] = [-a_0, a_0])
///   search:  f_k = search_start + k * search_step, k = 0, 1, ... while f_k <= search_end
///            (1e-9 slack, so 0.7..1.3 step 0.01 gives 61 factors including both ends)
///   result:  the [f_k * min_0, f_k * max_0] of least QuantizationErrorEstimate::mse
///            (the fake quantization uses activation_quant_params of the candidate);
///            the first (smallest) factor wins a tie.
/// Q is Histogram::quantile. The MSE comes from the histogram, so the activations are never
/// stored (AMCT's IFMR keeps them); see docs/algorithms.md.
ActivationRange ifmr_range(const Histogram& histogram, const RangeAlgorithmConfig& config) {
  if (histogram.nonzero_count() == 0) return {};
  ActivationRange start{std::min(static_cast<float>(histogram.quantile(1.0 - config.min_percentile)), 0.0f),
                        std::max(static_cast<float>(histogram.quantile(config.max_percentile)), 0.0f)};
  if (!config.asymmetric) start = symmetric_range(start);
  const QuantizationErrorEstimate error(histogram);
  const auto steps = static_cast<int64_t>(std::floor((config.search_end - config.search_start) / config.search_step + 1e-9));
  ActivationRange best = start;
  double best_mse = std::numeric_limits<double>::infinity();
  for (int64_t k = 0; k <= steps; ++k) {
    const double f = config.search_start + static_cast<double>(k) * config.search_step;
    const ActivationRange candidate{static_cast<float>(start.min * f), static_cast<float>(start.max * f)};
    const double mse = error.mse(candidate, config.asymmetric);
    if (mse < best_mse) {
      best_mse = mse;
      best = candidate;
    }
  }
  return best;
}

}  // namespace ptqc
