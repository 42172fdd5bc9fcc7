#include <algorithm>

#include "calib/histogram.h"
#include "calib/range_rules.h"

namespace ptqc {

namespace {

/// act_algo "minmax": range = [min_i x_i, max_i x_i] over every value of every batch
/// (symmetric: [-a, a], a = max(|min|, |max|)). Exact, O(1) memory, order independent.
class MinMaxObserver final : public ActivationObserver {
 public:
  explicit MinMaxObserver(bool asymmetric) : asymmetric_(asymmetric) {}

  void observe(std::span<const float> values) override {
    if (values.empty()) return;
    const ActivationRange batch = value_extent(values);
    extent_ = seen_ ? ActivationRange{std::min(extent_.min, batch.min), std::max(extent_.max, batch.max)} : batch;
    seen_ = true;
  }

  ActivationRange range() const override { return asymmetric_ ? extent_ : symmetric_range(extent_); }

 private:
  bool asymmetric_;
  bool seen_ = false;
  ActivationRange extent_;
};

}  // namespace

std::unique_ptr<ActivationObserver> make_minmax_observer(bool asymmetric) {
  return std::make_unique<MinMaxObserver>(asymmetric);
}

}  // namespace ptqc
