#include "calib/histogram.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "ptqc/error.h"

namespace ptqc {

namespace {

/// True when [a, b] fits num_bins bins of width w aligned to multiples of w.
bool fits(double a, double b, double w, int64_t num_bins) {
  return std::floor(b / w) - std::floor(a / w) < static_cast<double>(num_bins);
}

}  // namespace

ActivationRange value_extent(std::span<const float> values) {
  ActivationRange extent{values[0], values[0]};
  for (size_t i = 0; i < values.size(); ++i) {
    const float v = values[i];
    if (!std::isfinite(v)) {
      throw Error(ErrorCode::kInvalidData, "calibration values hold a NaN or infinite value (element " + std::to_string(i) +
                                               " of " + std::to_string(values.size()) + ")");
    }
    extent.min = std::min(extent.min, v);
    extent.max = std::max(extent.max, v);
  }
  return extent;
}

Histogram::Histogram(int64_t num_bins) : counts_(static_cast<size_t>(num_bins), 0) {}

void Histogram::add(std::span<const float> values) {
  if (values.empty()) return;
  const ActivationRange batch = value_extent(values);
  observed_ = total_count_ == 0 ? batch : ActivationRange{std::min(observed_.min, batch.min), std::max(observed_.max, batch.max)};
  const double a = std::min(observed_.min, 0.0f), b = std::max(observed_.max, 0.0f);
  if (a < b) cover(a, b);
  total_count_ += values.size();
  if (width_ == 0.0) {  // only zeros so far
    zero_count_ += values.size();
    return;
  }
  const double inverse_width = 1.0 / width_;  // a power of two: v * inverse_width is exact
  for (const float v : values) {
    if (v == 0.0f) {
      ++zero_count_;
    } else {
      const auto bin = static_cast<int64_t>(std::floor(static_cast<double>(v) * inverse_width)) - origin_;
      ++counts_[static_cast<size_t>(bin)];
    }
  }
}

void Histogram::cover(double a, double b) {
  const int64_t n = num_bins();
  // Start below the smallest width that can fit (n * w > b - a) and double: the first
  // width that fits is the smallest, whatever width the earlier batches had reached.
  double width = width_ > 0.0 ? width_ : std::ldexp(1.0, std::ilogb((b - a) / static_cast<double>(n)));
  while (!fits(a, b, width, n)) width *= 2.0;
  const auto origin = static_cast<int64_t>(std::floor(a / width));
  if (width == width_ && origin == origin_) return;
  std::vector<uint64_t> rebinned(counts_.size(), 0);
  for (int64_t i = 0; i < n; ++i) {
    const uint64_t count = counts_[static_cast<size_t>(i)];
    if (count == 0) continue;
    // Old bin i is [e, e + w_old) with e a multiple of w_old, inside new bin floor(e / w).
    const auto bin = static_cast<int64_t>(std::floor(edge(i) / width)) - origin;
    rebinned[static_cast<size_t>(bin)] += count;
  }
  counts_ = std::move(rebinned);
  width_ = width;
  origin_ = origin;
}

double Histogram::quantile(double fraction) const {
  if (total_count_ == 0) return 0.0;
  const double target = fraction * static_cast<double>(total_count_);
  // Walk the cumulative count from the left; the zero mass sits at edge zero_edge().
  double below = 0.0;
  auto reached_in = [&](double mass) { return mass > 0.0 && below + mass >= target; };
  double v = observed_.max;
  const int64_t zero = width_ > 0.0 ? zero_edge() : 0;
  for (int64_t i = 0; i <= num_bins(); ++i) {
    if (i == zero) {
      const auto zeros = static_cast<double>(zero_count_);
      if (reached_in(zeros)) {
        v = 0.0;
        break;
      }
      below += zeros;
    }
    if (i == num_bins() || width_ == 0.0) break;
    const auto count = static_cast<double>(counts_[static_cast<size_t>(i)]);
    if (reached_in(count)) {
      v = edge(i) + width_ * (target - below) / count;
      break;
    }
    below += count;
  }
  return std::clamp(v, static_cast<double>(observed_.min), static_cast<double>(observed_.max));
}

}  // namespace ptqc
