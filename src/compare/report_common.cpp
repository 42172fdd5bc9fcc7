#include "compare/report_common.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>

namespace ptqc {

namespace {

std::string non_finite_text(double v) { return std::isnan(v) ? "nan" : v > 0 ? "inf" : "-inf"; }

std::vector<const LayerComparison*> rank(const CompareReport& report,
                                         const std::function<std::optional<double>(const LayerComparison&)>& sqnr) {
  std::vector<const LayerComparison*> ranked;
  for (const LayerComparison& l : report.layers) {
    if (sqnr(l)) ranked.push_back(&l);
  }
  std::stable_sort(ranked.begin(), ranked.end(), [&](const LayerComparison* a, const LayerComparison* b) {
    const double x = *sqnr(*a), y = *sqnr(*b);
    if (std::isnan(x) || std::isnan(y)) return std::isnan(x) && !std::isnan(y);
    return x < y;
  });
  return ranked;
}

}  // namespace

std::string number_text(double v, int decimals) {
  if (!std::isfinite(v)) return non_finite_text(v);
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, v);
  return text;
}

std::string short_number_text(double v) {
  if (!std::isfinite(v)) return non_finite_text(v);
  char text[64];
  std::snprintf(text, sizeof text, "%.4g", v);
  return text;
}

std::string range_text(double lo, double hi) {
  std::string text = "[";
  text += short_number_text(lo);
  text += ", ";
  text += short_number_text(hi);
  return text + "]";
}

std::string percent_text(const std::optional<double>& fraction) {
  return fraction ? number_text(100.0 * *fraction, 1) + "%" : "-";
}

std::vector<const LayerComparison*> rank_by_cumulative(const CompareReport& report) {
  return rank(report, [](const LayerComparison& l) {
    return l.cumulative ? std::optional<double>(l.cumulative->sqnr_db) : std::nullopt;
  });
}

std::vector<const LayerComparison*> rank_by_isolated(const CompareReport& report) {
  return rank(report, [](const LayerComparison& l) { return l.isolated_sqnr_db; });
}

}  // namespace ptqc
