#include <cmath>
#include <string>

#include "calib/histogram.h"
#include "calib/range_rules.h"
#include "ptqc/error.h"

namespace ptqc {

namespace {

/// The observer of the histogram-based algorithms: a Histogram of every value seen, and the
/// algorithm's range rule applied to it on demand (range() costs the rule's search, not a
/// pass over the values).
class HistogramObserver final : public ActivationObserver {
 public:
  using RangeRule = ActivationRange (*)(const Histogram&, const RangeAlgorithmConfig&);

  HistogramObserver(const RangeAlgorithmConfig& config, RangeRule rule) : config_(config), rule_(rule), histogram_(config.num_bins) {}

  void observe(std::span<const float> values) override { histogram_.add(values); }
  ActivationRange range() const override { return rule_(histogram_, config_); }

 private:
  RangeAlgorithmConfig config_;
  RangeRule rule_;
  Histogram histogram_;
};

void require(bool ok, const std::string& what) {
  if (!ok) throw Error(ErrorCode::kInvalidValue, "activation quantization parameter " + what);
}

/// The parameter bounds the algorithms rely on (the config loader checks the user's file
/// against the tighter AMCT bounds; this guards every other caller).
void check_parameters(const RangeAlgorithmConfig& config) {
  constexpr int64_t kMaxBins = int64_t{1} << 20;
  constexpr double kMaxSearchSteps = 1e5;
  if (config.algorithm == ActivationAlgorithm::kMinMax) return;
  require(config.num_bins >= 2 && config.num_bins <= kMaxBins,
          "num_of_bins must be in [2, " + std::to_string(kMaxBins) + "], got " + std::to_string(config.num_bins));
  require(config.max_percentile >= 0.5 && config.max_percentile <= 1.0,
          "max_percentile must be in [0.5, 1], got " + std::to_string(config.max_percentile));
  require(config.min_percentile >= 0.5 && config.min_percentile <= 1.0,
          "min_percentile must be in [0.5, 1], got " + std::to_string(config.min_percentile));
  if (config.algorithm != ActivationAlgorithm::kIfmr) return;
  require(config.search_start > 0.0 && config.search_start <= config.search_end && std::isfinite(config.search_end),
          "search_range must satisfy 0 < start <= end, got [" + std::to_string(config.search_start) + ", " +
              std::to_string(config.search_end) + "]");
  require(config.search_step > 0.0 && (config.search_end - config.search_start) / config.search_step <= kMaxSearchSteps,
          "search_step must be > 0 and give at most 1e5 IFMR candidates, got " + std::to_string(config.search_step));
}

}  // namespace

std::unique_ptr<ActivationObserver> make_activation_observer(const RangeAlgorithmConfig& config) {
  check_parameters(config);
  switch (config.algorithm) {
    case ActivationAlgorithm::kMinMax: return make_minmax_observer(config.asymmetric);
    case ActivationAlgorithm::kPercentile: return std::make_unique<HistogramObserver>(config, percentile_range);
    case ActivationAlgorithm::kIfmr: return std::make_unique<HistogramObserver>(config, ifmr_range);
    case ActivationAlgorithm::kHfmg: return std::make_unique<HistogramObserver>(config, hfmg_range);
  }
  throw Error(ErrorCode::kInternal, "unknown activation algorithm " + std::to_string(static_cast<int>(config.algorithm)));
}

}  // namespace ptqc
