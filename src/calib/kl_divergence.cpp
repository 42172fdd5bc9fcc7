#include "calib/kl_divergence.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ptqc {

namespace {

double x_log_x(double x) { return x > 0.0 ? x * std::log(x) : 0.0; }
size_t at(int64_t i) { return static_cast<size_t>(i); }

}  // namespace

KlDivergence::KlDivergence(std::vector<double> counts) : counts_(std::move(counts)) {
  mass_.push_back(0.0);
  nonempty_.push_back(0);
  x_log_x_.push_back(0.0);
  for (const double c : counts_) {
    mass_.push_back(mass_.back() + c);
    nonempty_.push_back(nonempty_.back() + (c > 0.0 ? 1 : 0));
    x_log_x_.push_back(x_log_x_.back() + x_log_x(c));
  }
}

double KlDivergence::operator()(int64_t lo, int64_t hi, int64_t levels) const {
  const int64_t width = hi - lo;
  const double total = mass_.back(), in_window = mass_[at(hi)] - mass_[at(lo)];
  if (in_window == 0.0) return std::numeric_limits<double>::infinity();
  const double left = mass_[at(lo)], right = total - mass_[at(hi)];
  const double c_first = counts_[at(lo)], c_last = counts_[at(hi - 1)];
  const double p_first = c_first + left, p_last = c_last + right;
  const double p_log_p = x_log_x_[at(hi)] - x_log_x_[at(lo)] - x_log_x(c_first) - x_log_x(c_last) + x_log_x(p_first) + x_log_x(p_last);
  double p_log_q = 0.0;
  int64_t begin = lo;
  for (int64_t l = 0; l < levels; ++l) {
    // Level l ends where level l + 1 begins: at t = ceil((2W(l+1) - W - L + 1) / (2L - 2)).
    const int64_t numerator = 2 * width * (l + 1) - width - levels + 1;
    const int64_t end = l + 1 == levels ? hi : lo + std::min(width, (numerator + 2 * levels - 3) / (2 * levels - 2));
    const double raw = mass_[at(end)] - mass_[at(begin)];
    double p_mass = raw;
    auto bins = static_cast<double>(nonempty_[at(end)] - nonempty_[at(begin)]);
    if (begin == lo && end > lo) {  // the level holding the window's first bin
      p_mass += left;
      bins += (p_first > 0.0 ? 1.0 : 0.0) - (c_first > 0.0 ? 1.0 : 0.0);
    }
    if (end == hi && begin < hi) {  // the level holding its last bin
      p_mass += right;
      bins += (p_last > 0.0 ? 1.0 : 0.0) - (c_last > 0.0 ? 1.0 : 0.0);
    }
    if (p_mass > 0.0) p_log_q += p_mass * std::log(raw > 0.0 ? raw / bins : kEmptyLevelCount);
    begin = end;
  }
  return (p_log_p - p_log_q) / total + std::log(in_window / total);
}

}  // namespace ptqc
