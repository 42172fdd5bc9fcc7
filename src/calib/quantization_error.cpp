#include "calib/quantization_error.h"

#include <algorithm>
#include <cmath>

namespace ptqc {

QuantizationErrorEstimate::QuantizationErrorEstimate(const Histogram& histogram)
    : histogram_(histogram),
      above_(static_cast<size_t>(histogram.num_bins() + 1)),
      below_(static_cast<size_t>(histogram.num_bins() + 1)) {
  const double w = histogram.bin_width();
  const auto& counts = histogram.counts();
  // Moving the edge one bin away from the tail shifts every distance by w and brings in the
  // bin passed over. Every term is non-negative: no cancellation.
  auto with_bin = [](const Tail& t, double c, double d, double length) {
    return Tail{t.count + c, t.first + c * d, t.second + c * (d * d + length * length / 12.0)};
  };
  const int64_t n = histogram.num_bins();
  for (int64_t e = n - 1; e >= 0; --e) {
    const auto [begin, end] = support(e);
    above_[static_cast<size_t>(e)] = with_bin(shifted(above_[static_cast<size_t>(e + 1)], w), static_cast<double>(counts[static_cast<size_t>(e)]),
                                              (begin + end) / 2.0 - histogram.edge(e), end - begin);
  }
  for (int64_t e = 1; e <= n; ++e) {
    const auto [begin, end] = support(e - 1);
    below_[static_cast<size_t>(e)] = with_bin(shifted(below_[static_cast<size_t>(e - 1)], w), static_cast<double>(counts[static_cast<size_t>(e - 1)]),
                                              histogram.edge(e) - (begin + end) / 2.0, end - begin);
  }
}

QuantizationErrorEstimate::Tail QuantizationErrorEstimate::shifted(const Tail& t, double shift) {
  return {t.count, t.first + shift * t.count, t.second + 2.0 * shift * t.first + shift * shift * t.count};
}

std::pair<double, double> QuantizationErrorEstimate::support(int64_t bin) const {
  const ActivationRange observed = histogram_.observed();
  return {std::max(histogram_.edge(bin), static_cast<double>(observed.min)),
          std::min(histogram_.edge(bin + 1), static_cast<double>(observed.max))};
}

QuantizationErrorEstimate::Clipped QuantizationErrorEstimate::bin_above(int64_t bin, double x) const {
  const auto c = static_cast<double>(histogram_.counts()[static_cast<size_t>(bin)]);
  const auto [begin, end] = support(bin);
  if (c == 0.0 || x >= end) return {};
  if (x <= begin) {
    const double d = (begin + end) / 2.0 - x, length = end - begin;
    return {c, c * (d * d + length * length / 12.0)};
  }
  const double beyond = end - x, density = c / (end - begin);  // uniform over [begin, end]
  return {density * beyond, density * beyond * beyond * beyond / 3.0};
}

QuantizationErrorEstimate::Clipped QuantizationErrorEstimate::bin_below(int64_t bin, double x) const {
  const auto c = static_cast<double>(histogram_.counts()[static_cast<size_t>(bin)]);
  const auto [begin, end] = support(bin);
  if (c == 0.0 || x <= begin) return {};
  if (x >= end) {
    const double d = x - (begin + end) / 2.0, length = end - begin;
    return {c, c * (d * d + length * length / 12.0)};
  }
  const double beyond = x - begin, density = c / (end - begin);
  return {density * beyond, density * beyond * beyond * beyond / 3.0};
}

QuantizationErrorEstimate::Clipped QuantizationErrorEstimate::clipped_above(double x) const {
  const double w = histogram_.bin_width();
  if (w == 0.0) return {};
  const double position = (x - histogram_.edge(0)) / w;  // >= zero_edge() since x >= 0
  if (position >= static_cast<double>(histogram_.num_bins())) return {};
  const auto bin = static_cast<int64_t>(std::floor(position));
  // The bins above `bin`, seen from x instead of their edge, plus the part of `bin` above x.
  const Tail t = shifted(above_[static_cast<size_t>(bin + 1)], histogram_.edge(bin + 1) - x);
  const Clipped part = bin_above(bin, x);
  return {t.count + part.count, t.second + part.squared_error};
}

QuantizationErrorEstimate::Clipped QuantizationErrorEstimate::clipped_below(double x) const {
  const double w = histogram_.bin_width();
  if (w == 0.0) return {};
  const double position = (x - histogram_.edge(0)) / w;  // <= zero_edge() < num_bins() since x <= 0
  if (position <= 0.0) return {};
  const auto bin = static_cast<int64_t>(std::floor(position));
  const Tail t = shifted(below_[static_cast<size_t>(bin)], x - histogram_.edge(bin));
  const Clipped part = bin_below(bin, x);
  return {t.count + part.count, t.second + part.squared_error};
}

double QuantizationErrorEstimate::mse(ActivationRange range, bool asymmetric) const {
  if (histogram_.total_count() == 0) return 0.0;
  const ActivationQuantParams q = activation_quant_params(range, asymmetric);
  const double scale = q.scale;
  const Clipped below = clipped_below((-128.0 - q.offset) * scale);
  const Clipped above = clipped_above((127.0 - q.offset) * scale);
  const double inside = std::max(0.0, static_cast<double>(histogram_.nonzero_count()) - below.count - above.count);
  const double squared_error = below.squared_error + above.squared_error + inside * scale * scale / 12.0;
  return squared_error / static_cast<double>(histogram_.total_count());
}

}  // namespace ptqc
