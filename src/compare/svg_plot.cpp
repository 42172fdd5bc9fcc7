#include "compare/svg_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "compare/report_common.h"

namespace ptqc {

namespace {

constexpr const char* kSeriesColors[] = {"#3b6ea8", "#e07b39", "#5a9e5a", "#8e5ea2"};
constexpr const char* kClipColor = "#c62828";

/// A coordinate with one decimal.
std::string px(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", v);
  return text;
}

std::string text_at(double x, double y, const std::string& text, const std::string& extra = "") {
  return "<text x=\"" + px(x) + "\" y=\"" + px(y) + "\" " + extra + ">" + xml_escape(text) + "</text>\n";
}

std::string line(double x1, double y1, double x2, double y2, const std::string& style) {
  return "<line x1=\"" + px(x1) + "\" y1=\"" + px(y1) + "\" x2=\"" + px(x2) + "\" y2=\"" + px(y2) + "\" " + style + "/>\n";
}

std::string rect(double x, double y, double w, double h, const std::string& fill) {
  return "<rect x=\"" + px(x) + "\" y=\"" + px(y) + "\" width=\"" + px(std::max(w, 0.0)) + "\" height=\"" +
         px(std::max(h, 0.0)) + "\" fill=\"" + fill + "\"/>\n";
}

std::string svg_open(double width, double height) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + px(width) + "\" height=\"" + px(height) + "\" viewBox=\"0 0 " +
         px(width) + " " + px(height) + "\" font-family=\"sans-serif\" font-size=\"11\">\n";
}

/// Maps [lo, hi] onto [x0, x1].
struct Scale {
  double lo, hi, x0, x1;
  double operator()(double v) const { return x0 + (v - lo) / (hi - lo) * (x1 - x0); }
};

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::vector<double> axis_ticks(double lo, double hi, int target) {
  const double raw = (hi - lo) / std::max(target, 1);
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * magnitude;
    if (step >= raw) break;
  }
  std::vector<double> ticks;
  for (double t = std::ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push_back(std::fabs(t) < step * 1e-9 ? 0.0 : t);
  return ticks;
}

std::string svg_bar_chart(const std::vector<BarRow>& rows, const std::vector<std::string>& series,
                          const std::string& axis_title) {
  size_t longest = 8;
  double lo = 0, hi = 0;
  for (const BarRow& r : rows) {
    longest = std::max(longest, r.label.size());
    for (const auto& v : r.values) {
      if (v && std::isfinite(*v)) {
        lo = std::min(lo, *v);
        hi = std::max(hi, *v);
      }
    }
  }
  if (hi <= lo) hi = lo + 1;
  hi += (hi - lo) * 0.05;
  const double bar = 9, row_height = bar * static_cast<double>(series.size()) + 8, top = 34, bottom = 36;
  const double label_width = std::min(360.0, 6.5 * static_cast<double>(longest) + 10), width = 1180;
  const double height = top + row_height * static_cast<double>(rows.size()) + bottom;
  const Scale x{lo, hi, label_width + 10, width - 50};
  std::string svg = svg_open(width, height);
  for (size_t s = 0; s < series.size(); ++s) {  // legend
    const double lx = label_width + 10 + 170.0 * static_cast<double>(s);
    svg += rect(lx, 8, 12, 12, kSeriesColors[s % 4]) + text_at(lx + 16, 18, series[s]);
  }
  const double plot_bottom = top + row_height * static_cast<double>(rows.size());
  for (double t : axis_ticks(lo, hi)) {
    svg += line(x(t), top, x(t), plot_bottom, t == 0 ? "stroke=\"#444\"" : "stroke=\"#ddd\"");
    svg += text_at(x(t), plot_bottom + 14, number_text(t, std::fabs(hi - lo) < 5 ? 2 : 0), "text-anchor=\"middle\"");
  }
  svg += text_at((x.x0 + x.x1) / 2, plot_bottom + 30, axis_title, "text-anchor=\"middle\"");
  for (size_t i = 0; i < rows.size(); ++i) {
    const double y = top + row_height * static_cast<double>(i) + 4;
    svg += text_at(label_width, y + row_height / 2, rows[i].label, "text-anchor=\"end\"");
    for (size_t s = 0; s < rows[i].values.size(); ++s) {
      const double by = y + bar * static_cast<double>(s);
      const auto& v = rows[i].values[s];
      if (!v || std::isnan(*v)) {
        svg += text_at(x(0) + 3, by + bar - 1, v ? "nan" : "n/a", "font-size=\"9\" fill=\"#888\"");
        continue;
      }
      const double end = std::isinf(*v) ? (*v > 0 ? x.x1 : x.x0) : x(*v);
      svg += rect(std::min(x(0), end), by, std::fabs(end - x(0)), bar - 1, kSeriesColors[s % 4]);
      svg += text_at(std::max(x(0), end) + 3, by + bar - 1, number_text(*v, 1), "font-size=\"9\"");
    }
  }
  return svg + "</svg>\n";
}

std::string svg_histogram(const ActivationHistogram& h) {
  const double width = 380, height = 190, left = 40, right = 12, top = 30, bottom = 34;
  std::string svg = svg_open(width, height);
  std::string title = h.value + " -> ";
  for (size_t i = 0; i < h.layers.size(); ++i) title += (i ? ", " : "") + h.layers[i];
  if (title.size() > 56) title = title.substr(0, 53) + "...";
  svg += text_at(left, 14, title, "font-weight=\"bold\"");
  if (h.counts.empty()) return svg + text_at(left, height / 2, "no values observed") + "</svg>\n";
  double lo = h.lo, hi = h.hi;
  for (const auto& [a, b] : h.clip_ranges) {
    lo = std::min(lo, a);
    hi = std::max(hi, b);
  }
  const double pad = (hi - lo) * 0.03;
  const Scale x{lo - pad, hi + pad, left, width - right};
  const double plot_bottom = height - bottom, plot_height = plot_bottom - top;
  const uint64_t peak = *std::max_element(h.counts.begin(), h.counts.end());
  const double log_peak = std::log10(1.0 + static_cast<double>(peak));
  const double bin = (h.hi - h.lo) / static_cast<double>(h.counts.size());
  for (size_t i = 0; i < h.counts.size(); ++i) {
    if (h.counts[i] == 0) continue;
    const double bar_height = plot_height * std::log10(1.0 + static_cast<double>(h.counts[i])) / log_peak;
    const double x0 = x(h.lo + bin * static_cast<double>(i));
    svg += rect(x0, plot_bottom - bar_height, std::max(x(h.lo + bin * static_cast<double>(i + 1)) - x0, 0.8), bar_height, "#3b6ea8");
  }
  svg += line(left, plot_bottom, width - right, plot_bottom, "stroke=\"#444\"");
  for (double t : axis_ticks(x.lo, x.hi, 5)) {
    svg += line(x(t), plot_bottom, x(t), plot_bottom + 4, "stroke=\"#444\"");
    svg += text_at(x(t), plot_bottom + 15, short_number_text(t), "text-anchor=\"middle\"");
  }
  for (const auto& [a, b] : h.clip_ranges) {
    for (double c : {a, b}) svg += line(x(c), top - 4, x(c), plot_bottom, std::string("stroke=\"") + kClipColor + "\" stroke-width=\"1.5\" stroke-dasharray=\"4 2\"");
  }
  svg += text_at(width - right, 14, h.clip_ranges.empty() ? "clip range unknown" : "- - clip range", std::string("text-anchor=\"end\" fill=\"") + kClipColor + "\"");
  svg += text_at(left, height - 4, "log-scale counts, peak " + std::to_string(peak) + (h.note.empty() ? "" : "; " + h.note), "font-size=\"9\" fill=\"#555\"");
  return svg + "</svg>\n";
}

}  // namespace ptqc
