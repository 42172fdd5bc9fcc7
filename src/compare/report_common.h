#pragma once
/// \file
/// What the text and HTML reports share: number formatting and the layer rankings.

#include <optional>
#include <string>
#include <vector>

#include "ptqc/compare.h"

namespace ptqc {

/// \p v with \p decimals decimals; "inf", "-inf", "nan" for non-finite values.
std::string number_text(double v, int decimals);
/// \p v with 4 significant digits in %g form (errors, scales); "inf"... as number_text.
std::string short_number_text(double v);
/// "[lo, hi]" with short_number_text numbers.
std::string range_text(double lo, double hi);
/// "98.4%" of a fraction, or "-" when absent.
std::string percent_text(const std::optional<double>& fraction);

/// The layers with a cumulative error, worst SQNR first (NaN first; ties in graph order).
std::vector<const LayerComparison*> rank_by_cumulative(const CompareReport& report);
/// The layers with an isolated sensitivity, worst SQNR first (NaN first; ties in graph order).
std::vector<const LayerComparison*> rank_by_isolated(const CompareReport& report);

}  // namespace ptqc
