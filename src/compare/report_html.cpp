// format_html_report: DIR/compare.html, one self-contained page (docs/compare.md, "HTML report").
#include "compare/report_common.h"
#include "compare/svg_plot.h"
#include "ptqc/compare.h"

namespace ptqc {

namespace {

constexpr const char* kStyle = R"(body{font-family:sans-serif;margin:24px;color:#222;max-width:1220px}
table{border-collapse:collapse;margin:8px 0 20px}td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px;text-align:left}
th{background:#f0f0f0}td.n{text-align:right;font-variant-numeric:tabular-nums}.note{color:#666;font-size:13px}
.grid{display:flex;flex-wrap:wrap;gap:8px}.grid svg{border:1px solid #ddd})";

std::string cell(const std::string& text, bool numeric = false) {
  return std::string(numeric ? "<td class=\"n\">" : "<td>") + xml_escape(text) + "</td>";
}

std::string header_row(const std::vector<std::string>& names) {
  std::string row = "<tr>";
  for (const auto& n : names) row += "<th>" + xml_escape(n) + "</th>";
  return row + "</tr>\n";
}

std::string outputs_table(const CompareReport& r) {
  std::string html = "<table>" + header_row({"output", "shape", "cosine mean", "cosine worst", "SQNR dB mean", "SQNR dB worst",
                                             "PSNR dB mean", "PSNR dB worst", "max abs err", "mean abs err", "top-1", "top-k", "mask IoU"});
  for (const OutputComparison& o : r.outputs) {
    const OutputSummary s = summarize(o);
    html += "<tr>" + cell(o.name) + cell(shape_string(o.shape)) + cell(number_text(s.cosine.mean, 5), true) +
            cell(number_text(s.cosine.worst, 5), true) + cell(number_text(s.sqnr_db.mean, 2), true) +
            cell(number_text(s.sqnr_db.worst, 2), true) + cell(number_text(s.psnr_db.mean, 2), true) +
            cell(number_text(s.psnr_db.worst, 2), true) + cell(short_number_text(s.max_abs_error), true) +
            cell(short_number_text(s.mean_abs_error), true) + cell(percent_text(s.top1), true) +
            cell(s.topk ? "top-" + std::to_string(s.k) + " " + percent_text(s.topk) : "-", true) +
            cell(s.mask_iou ? number_text(*s.mask_iou, 4) : "-", true) + "</tr>\n";
  }
  return html + "</table>\n";
}

std::string sqnr_chart(const CompareReport& r) {
  std::vector<BarRow> rows;
  for (const LayerComparison& l : r.layers) {
    rows.push_back({l.name + (l.compared_downstream ? " *" : ""),
                    {l.cumulative ? std::optional<double>(l.cumulative->sqnr_db) : std::nullopt, l.isolated_sqnr_db}});
  }
  return svg_bar_chart(rows, {"cumulative (at the layer)", "isolated (model output)"}, "SQNR dB (higher is better)");
}

std::string ranking_table(const std::vector<const LayerComparison*>& ranked, bool cumulative) {
  std::string html = "<table>" + header_row(cumulative ? std::vector<std::string>{"#", "layer", "op", "SQNR dB", "cosine", "measured at"}
                                                       : std::vector<std::string>{"#", "layer", "op", "model-output SQNR dB", "clip range"});
  for (size_t i = 0; i < ranked.size(); ++i) {
    const LayerComparison& l = *ranked[i];
    html += "<tr>" + cell(std::to_string(i + 1), true) + cell(l.name) + cell(l.op_type);
    if (cumulative) {
      html += cell(number_text(l.cumulative->sqnr_db, 2), true) + cell(number_text(l.cumulative->cosine, 5), true) +
              cell(l.compared_value + (l.compared_downstream ? " (downstream)" : ""));
    } else {
      html += cell(number_text(*l.isolated_sqnr_db, 2), true) +
              cell(range_text(l.params.clip_min(), l.params.clip_max()));
    }
    html += "</tr>\n";
  }
  return html + "</table>\n";
}

std::string values_table(const CompareReport& r) {
  std::string html = "<details><summary>All " + std::to_string(r.values.size()) +
                     " values both graphs compute</summary><table>" + header_row({"value", "SQNR dB", "cosine", "max abs err"});
  for (const ValueError& v : r.values) {
    html += "<tr>" + cell(v.value) + cell(number_text(v.sqnr_db, 2), true) + cell(number_text(v.cosine, 5), true) +
            cell(short_number_text(v.max_abs_error), true) + "</tr>\n";
  }
  return html + "</table></details>\n";
}

std::string layer_sections(const CompareReport& r) {
  std::string html = "<h2>Per-layer SQNR</h2>\n<p class=\"note\">" + std::to_string(r.layers.size()) +
                     " quantized layers in graph order, over " + std::to_string(r.layer_samples) +
                     " sample(s). Cumulative: the INT8 graph's value against the FP32 graph's at the layer's output "
                     "(* = the output is requantized, so the next shared value downstream). Isolated: the model-output "
                     "SQNR when only this layer runs in INT8 (parameters from the " + xml_escape(r.params_source) + ").</p>\n";
  html += sqnr_chart(r);
  html += "<h2>Worst layers, cumulative</h2>\n" + ranking_table(rank_by_cumulative(r), true);
  html += "<h2>Worst layers, isolated</h2>\n" + ranking_table(rank_by_isolated(r), false);
  for (const LayerComparison& l : r.layers) {
    if (!l.isolated_sqnr_db && !l.isolated_note.empty()) {
      html += "<p class=\"note\">Not measured: " + xml_escape(l.name) + ": " + xml_escape(l.isolated_note) + "</p>\n";
    }
  }
  html += values_table(r);
  html += "<h2>Quantized activations</h2>\n<p class=\"note\">FP32 values over the per-layer samples; dashed lines: the "
          "clip range [(-128 - offset_d) scale_d, (127 - offset_d) scale_d] of the INT8 grid.</p>\n<div class=\"grid\">\n";
  for (const ActivationHistogram& h : r.histograms) html += svg_histogram(h);
  return html + "</div>\n";
}

std::string simulation_table(const SimulationReport& sim) {
  std::string html = "<h2>Simulation</h2>\n<p>The FP32 graph with the .om's quantization applied in float (" +
                     std::to_string(sim.simulated_layers) + " layer(s)): its distance from FP32 is the quantization's own "
                     "error, the INT8 model's distance from it the kernels'.</p>\n<table>" +
                     header_row({"output", "simulation vs FP32: SQNR dB", "cosine", "INT8 vs simulation: SQNR dB", "max abs err"});
  for (const SimulationOutput& o : sim.outputs) {
    html += "<tr>" + cell(o.name) + cell(number_text(o.sim_vs_fp32_sqnr_db, 2), true) + cell(number_text(o.sim_vs_fp32_cosine, 5), true) +
            cell(number_text(o.int8_vs_sim_sqnr_db, 2), true) + cell(short_number_text(o.int8_vs_sim_max_abs_error), true) + "</tr>\n";
  }
  html += "</table>\n";
  for (const std::string& n : sim.not_simulated) html += "<p>not simulated (float): " + xml_escape(n) + "</p>\n";
  return html;
}

}  // namespace

std::string format_html_report(const CompareReport& r) {
  std::string html = std::string("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>ptqc-compare</title><style>") +
                     kStyle + "</style></head><body>\n<h1>ptqc-compare</h1>\n<p>FP32: <code>" + xml_escape(r.fp32_source) +
                     "</code><br>INT8: <code>" + xml_escape(r.int8_source) + "</code><br>" + std::to_string(r.samples) +
                     " sample(s)</p>\n<h2>Outputs</h2>\n" + outputs_table(r);
  if (r.simulation) html += simulation_table(*r.simulation);
  if (r.mode == "models" && r.layer_samples > 0) html += layer_sections(r);
  return html + "</body></html>\n";
}

}  // namespace ptqc
