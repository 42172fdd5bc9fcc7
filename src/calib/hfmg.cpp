#include <algorithm>
#include <cmath>
#include <limits>

#include "calib/kl_divergence.h"
#include "calib/quantization_error.h"
#include "calib/range_rules.h"

namespace ptqc {

namespace {

/// The bins HFMG searches. Asymmetric ranges: the histogram's bins. Symmetric ranges [-a, a]:
/// the histogram folded onto |x|, bin k = [k w, (k + 1) w) holding histogram bins zero + k and
/// zero - 1 - k (exact: 0 is a histogram edge). Edge `zero` is at 0.
struct SearchBins {
  std::vector<double> counts;
  int64_t zero = 0;
  double width = 0.0;

  double edge(int64_t i) const { return static_cast<double>(i - zero) * width; }
  /// The first and one past the last non-empty bin.
  int64_t first_used() const {
    int64_t i = 0;
    while (i < static_cast<int64_t>(counts.size()) && counts[static_cast<size_t>(i)] == 0.0) ++i;
    return i;
  }
  int64_t end_used() const {
    auto i = static_cast<int64_t>(counts.size());
    while (i > 0 && counts[static_cast<size_t>(i - 1)] == 0.0) --i;
    return i;
  }
};

SearchBins search_bins(const Histogram& histogram, bool asymmetric) {
  const auto& counts = histogram.counts();
  const int64_t n = histogram.num_bins(), zero = histogram.zero_edge();
  SearchBins bins{{}, asymmetric ? zero : 0, histogram.bin_width()};
  if (asymmetric) {
    bins.counts.assign(counts.begin(), counts.end());
    return bins;
  }
  bins.counts.resize(static_cast<size_t>(std::max(n - zero, zero)), 0.0);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t folded = i >= zero ? i - zero : zero - 1 - i;
    bins.counts[static_cast<size_t>(folded)] += static_cast<double>(counts[static_cast<size_t>(i)]);
  }
  return bins;
}

/// A candidate clip range: edges [lo, hi] of SearchBins.
struct Window {
  int64_t lo = 0;
  int64_t hi = 0;
  bool operator==(const Window&) const = default;
};

/// Coordinate descent over windows: with lo fixed, scan every hi in [hi_first, hi_last]
/// (from the widest; only a strictly lower cost narrows), then with that hi scan every lo in
/// [lo_first, lo_last]; repeat until neither moves (at most kMaxRounds rounds). Every window
/// keeps hi - lo >= min_width. Starts from the widest window.
template <class Cost>
Window alternating_search(int64_t lo_first, int64_t lo_last, int64_t hi_first, int64_t hi_last, int64_t min_width, const Cost& cost) {
  constexpr int kMaxRounds = 32;
  Window best{lo_first, hi_last};
  if (hi_last - lo_first < min_width) return best;
  for (int round = 0; round < kMaxRounds; ++round) {
    Window next = best;
    double least = std::numeric_limits<double>::infinity();
    for (int64_t hi = hi_last; hi >= std::max(hi_first, next.lo + min_width); --hi) {
      const double c = cost(Window{next.lo, hi});
      if (c < least) {
        least = c;
        next.hi = hi;
      }
    }
    least = std::numeric_limits<double>::infinity();
    for (int64_t lo = lo_first; lo <= std::min(lo_last, next.hi - min_width); ++lo) {
      const double c = cost(Window{lo, next.hi});
      if (c < least) {
        least = c;
        next.lo = lo;
      }
    }
    if (next == best) break;
    best = next;
  }
  return best;
}

}  // namespace

/// act_algo "hfmg": the clip range is searched over the histogram's bin edges (in the spirit of
/// AMCT's HFMG, PyTorch's HistogramObserver and TensorRT's entropy calibration):
/// - asymmetric: windows [e_lo, e_hi] of histogram edges with e_lo <= 0 <= e_hi, both inside
///   the used bins; symmetric: [-e_hi, e_hi] over the edges of the |x| histogram;
/// - hfmg_objective "mse": QuantizationErrorEstimate::mse of the window's range;
///   "kl": KlDivergence with 256 levels (symmetric: 128 levels over |x|, TensorRT's form), the
///   window at least L - 1 bins wide;
/// - alternating_search from the widest window; the result is clamped to the observed
///   extremes (widened to 0), so it never exceeds the min/max range.
ActivationRange hfmg_range(const Histogram& histogram, const RangeAlgorithmConfig& config) {
  if (histogram.nonzero_count() == 0) return {};
  const bool asymmetric = config.asymmetric;
  const SearchBins bins = search_bins(histogram, asymmetric);
  const ActivationRange observed = histogram.observed();
  const float a_max = symmetric_range(observed).max;
  auto range_of = [&](Window w) -> ActivationRange {
    if (!asymmetric) {
      const float a = std::min(static_cast<float>(bins.edge(w.hi)), a_max);
      return {-a, a};
    }
    return {std::max(static_cast<float>(bins.edge(w.lo)), std::min(observed.min, 0.0f)),
            std::min(static_cast<float>(bins.edge(w.hi)), std::max(observed.max, 0.0f))};
  };
  const int64_t lo_first = std::min(bins.first_used(), bins.zero), hi_last = std::max(bins.end_used(), bins.zero);
  Window best;
  if (config.objective == HistogramObjective::kKl) {
    const KlDivergence kl(bins.counts);
    const int64_t levels = asymmetric ? 256 : 128;
    best = alternating_search(lo_first, bins.zero, bins.zero, hi_last, levels - 1, [&](Window w) { return kl(w.lo, w.hi, levels); });
  } else {
    const QuantizationErrorEstimate error(histogram);
    best = alternating_search(lo_first, bins.zero, bins.zero, hi_last, 1, [&](Window w) { return error.mse(range_of(w), asymmetric); });
  }
  return range_of(best);
}

}  // namespace ptqc
