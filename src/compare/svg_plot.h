#pragma once
/// \file
/// Inline SVG plots for the HTML report: plain shapes and text, no scripts or fonts.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ptqc/compare.h"

namespace ptqc {

/// \p text with &, <, >, " and ' escaped for HTML/XML text and attributes.
std::string xml_escape(std::string_view text);

/// Tick positions for an axis over [lo, hi]: multiples of 1, 2 or 5 times a power of ten,
/// about \p target of them. \pre lo < hi.
std::vector<double> axis_ticks(double lo, double hi, int target = 6);

/// One row of a grouped horizontal bar chart: a label and one value per series (nullopt:
/// no bar, "n/a"; +inf: a full-length bar marked "inf").
struct BarRow {
  std::string label;
  std::vector<std::optional<double>> values;
};

/// A horizontal grouped bar chart, one row per entry, a legend naming \p series and an axis
/// titled \p axis_title. The axis spans 0 and every finite value.
std::string svg_bar_chart(const std::vector<BarRow>& rows, const std::vector<std::string>& series,
                          const std::string& axis_title);

/// A histogram of \p h with counts on a log scale (bar height ∝ log10(1 + count)), the x axis
/// spanning the bins and every clip range, and each clip range drawn as two vertical lines.
std::string svg_histogram(const ActivationHistogram& h);

}  // namespace ptqc
