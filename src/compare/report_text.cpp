// format_text_report: ptqc-compare's stdout (docs/compare.md, "Text report").
#include <algorithm>

#include "compare/report_common.h"
#include "ptqc/compare.h"

namespace ptqc {

namespace {

constexpr size_t kWorstLayers = 10;

/// Rows of cells printed as left-aligned columns two spaces apart.
std::string table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& row : rows) {
    width.resize(std::max(width.size(), row.size()));
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) line += row[c] + std::string(c + 1 < row.size() ? width[c] - row[c].size() + 2 : 0, ' ');
    out += "  " + line + "\n";
  }
  return out;
}

/// "0.9991 (worst 0.9980 #0003)".
std::string with_worst(const SampleStatistic& s, int decimals, int64_t samples) {
  if (samples <= 1) return number_text(s.mean, decimals);
  char index[24];
  std::snprintf(index, sizeof index, "#%04lld", static_cast<long long>(s.worst_sample));
  return number_text(s.mean, decimals) + " (worst " + number_text(s.worst, decimals) + " " + index + ")";
}

std::string outputs_section(const CompareReport& r) {
  std::vector<std::vector<std::string>> rows = {
      {"output", "shape", "cosine", "SQNR dB", "PSNR dB", "max abs err", "mean abs err", "top-1", "top-k", "mask IoU"}};
  for (const OutputComparison& o : r.outputs) {
    const OutputSummary s = summarize(o);
    rows.push_back({o.name, shape_string(o.shape), with_worst(s.cosine, 5, r.samples), with_worst(s.sqnr_db, 2, r.samples),
                    with_worst(s.psnr_db, 2, r.samples), short_number_text(s.max_abs_error),
                    short_number_text(s.mean_abs_error), percent_text(s.top1),
                    s.topk ? "top-" + std::to_string(s.k) + " " + percent_text(s.topk) : "-",
                    s.mask_iou ? number_text(*s.mask_iou, 4) : "-"});
  }
  return "Per output (mean over " + std::to_string(r.samples) + " sample(s)):\n" + table(rows);
}

std::string cumulative_section(const CompareReport& r) {
  const auto ranked = rank_by_cumulative(r);
  std::vector<std::vector<std::string>> rows = {{"#", "layer", "op", "SQNR dB", "cosine", "max abs err", "measured at"}};
  for (size_t i = 0; i < std::min(kWorstLayers, ranked.size()); ++i) {
    const LayerComparison& l = *ranked[i];
    rows.push_back({std::to_string(i + 1), l.name, l.op_type, number_text(l.cumulative->sqnr_db, 2),
                    number_text(l.cumulative->cosine, 5), short_number_text(l.cumulative->max_abs_error),
                    l.compared_value + (l.cumulative->from_requantized ? " (its requantized int8, dequantized)" : "") +
                        (l.compared_downstream ? " (downstream of " + l.output + ")" : "")});
  }
  return "Worst layers, cumulative error (INT8 graph vs FP32 at the layer's output, " + std::to_string(r.layer_samples) +
         " sample(s)):\n" + (ranked.empty() ? "  (no layer has a value shared by both graphs)\n" : table(rows));
}

std::string isolated_section(const CompareReport& r) {
  const auto ranked = rank_by_isolated(r);
  std::vector<std::vector<std::string>> rows = {{"#", "layer", "op", "output SQNR dB", "clip range"}};
  for (size_t i = 0; i < std::min(kWorstLayers, ranked.size()); ++i) {
    const LayerComparison& l = *ranked[i];
    rows.push_back({std::to_string(i + 1), l.name, l.op_type, number_text(*l.isolated_sqnr_db, 2),
                    range_text(l.params.clip_min(), l.params.clip_max())});
  }
  std::string text = "Worst layers, isolated (model-output SQNR with only this layer in INT8, parameters from the " +
                     r.params_source + "):\n" + (ranked.empty() ? "  (none measured)\n" : table(rows));
  for (const LayerComparison& l : r.layers) {
    if (!l.isolated_sqnr_db && !l.isolated_note.empty()) text += "  not measured: " + l.name + ": " + l.isolated_note + "\n";
  }
  return text;
}

std::string simulation_section(const SimulationReport& sim) {
  std::vector<std::vector<std::string>> rows = {{"output", "simulation vs FP32: SQNR dB", "cosine", "INT8 vs simulation: SQNR dB", "max abs err"}};
  for (const SimulationOutput& o : sim.outputs) {
    rows.push_back({o.name, number_text(o.sim_vs_fp32_sqnr_db, 2), number_text(o.sim_vs_fp32_cosine, 5),
                    number_text(o.int8_vs_sim_sqnr_db, 2), short_number_text(o.int8_vs_sim_max_abs_error)});
  }
  std::string text = "Simulation (FP32 graph with the .om's quantization applied in float, " + std::to_string(sim.simulated_layers) +
                     " layer(s), " + std::to_string(sim.samples) + " sample(s)): the first columns are the quantization's own "
                     "error, the last the INT8 kernels' distance from it:\n" + table(rows);
  for (const std::string& n : sim.not_simulated) text += "  not simulated (float): " + n + "\n";
  return text;
}

}  // namespace

std::string format_text_report(const CompareReport& r) {
  std::string text = "FP32: " + r.fp32_source + "\nINT8: " + r.int8_source + "\n\n" + outputs_section(r);
  if (r.mode != "models") return text;
  if (r.simulation) text += "\n" + simulation_section(*r.simulation);
  if (r.layer_samples == 0) return text + "\nPer-layer analysis skipped (--max_samples=0).\n";
  return text + "\n" + std::to_string(r.layers.size()) + " quantized layer(s).\n" + cumulative_section(r) + "\n" + isolated_section(r);
}

}  // namespace ptqc
