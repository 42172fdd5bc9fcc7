// format_json_report: DIR/compare.json (docs/compare.md, "JSON report").
#include <cmath>
#include <nlohmann/json.hpp>

#include "compare/report_common.h"
#include "ptqc/compare.h"

namespace ptqc {

namespace {

using nlohmann::json;

/// A number, or "inf" / "-inf" / "nan" (JSON has no non-finite numbers).
json number(double v) {
  if (std::isfinite(v)) return v;
  return std::isnan(v) ? "nan" : v > 0 ? "inf" : "-inf";
}

json optional_number(const std::optional<double>& v) { return v ? number(*v) : json(nullptr); }

json statistic(const SampleStatistic& s) {
  return {{"mean", number(s.mean)}, {"worst", number(s.worst)}, {"worst_sample", s.worst_sample}};
}

json sample_json(const TensorMetrics& m) {
  json j = {{"cosine", number(m.cosine)},           {"sqnr_db", number(m.sqnr_db)},
            {"psnr_db", number(m.psnr_db)},         {"data_range", number(m.data_range)},
            {"max_abs_error", number(m.max_abs_error)}, {"mean_abs_error", number(m.mean_abs_error)}};
  if (m.rows > 0) j.update({{"rows", m.rows}, {"top1_hits", m.top1_hits}, {"topk_hits", m.topk_hits}, {"k", m.k}});
  if (m.mask_union > 0 || m.mask_intersection > 0) j.update({{"mask_intersection", m.mask_intersection}, {"mask_union", m.mask_union}});
  return j;
}

json output_json(const OutputComparison& o) {
  const OutputSummary s = summarize(o);
  json summary = {{"cosine", statistic(s.cosine)},
                  {"sqnr_db", statistic(s.sqnr_db)},
                  {"psnr_db", statistic(s.psnr_db)},
                  {"max_abs_error", number(s.max_abs_error)},
                  {"mean_abs_error", number(s.mean_abs_error)},
                  {"top1", optional_number(s.top1)},
                  {"topk", optional_number(s.topk)},
                  {"k", s.k},
                  {"mask_iou", optional_number(s.mask_iou)}};
  json samples = json::array();
  for (const TensorMetrics& m : o.samples) samples.push_back(sample_json(m));
  return {{"name", o.name}, {"shape", o.shape}, {"summary", summary}, {"samples", samples}};
}

json value_json(const ValueError& v) {
  return {{"value", v.value},
          {"sqnr_db", number(v.sqnr_db)},
          {"cosine", number(v.cosine)},
          {"max_abs_error", number(v.max_abs_error)},
          {"from_requantized", v.from_requantized}};
}

json layer_json(const LayerComparison& l) {
  const LayerQuantParams& p = l.params;
  json params = {{"known", p.known}, {"source", p.source}, {"note", p.note}, {"offset_d", p.offset_d}};
  if (p.known) {
    params.update({{"scale_d", p.scale_d},
                   {"quant_scale", p.quant_scale},
                   {"scale_w", p.scale_w},
                   {"clip_range", {p.clip_min(), p.clip_max()}}});
  }
  return {{"name", l.name},
          {"op_type", l.op_type},
          {"int8_op", l.int8_op},
          {"activation", l.activation},
          {"output", l.output},
          {"compared_value", l.compared_value},
          {"compared_downstream", l.compared_downstream},
          {"params", params},
          {"cumulative", l.cumulative ? value_json(*l.cumulative) : json(nullptr)},
          {"isolated_sqnr_db", optional_number(l.isolated_sqnr_db)},
          {"isolated_note", l.isolated_note}};
}

json histogram_json(const ActivationHistogram& h) {
  return {{"value", h.value}, {"layers", h.layers}, {"lo", h.lo},   {"hi", h.hi},     {"counts", h.counts},
          {"min", h.min},     {"max", h.max},       {"clip_ranges", h.clip_ranges},   {"note", h.note}};
}

json simulation_json(const SimulationReport& sim) {
  json outputs = json::array();
  for (const SimulationOutput& o : sim.outputs) {
    outputs.push_back({{"name", o.name},
                       {"sim_vs_fp32_sqnr_db", number(o.sim_vs_fp32_sqnr_db)},
                       {"sim_vs_fp32_cosine", number(o.sim_vs_fp32_cosine)},
                       {"int8_vs_sim_sqnr_db", number(o.int8_vs_sim_sqnr_db)},
                       {"int8_vs_sim_max_abs_error", number(o.int8_vs_sim_max_abs_error)}});
  }
  return {{"samples", sim.samples}, {"simulated_layers", sim.simulated_layers}, {"not_simulated", sim.not_simulated}, {"outputs", outputs}};
}

json names(const std::vector<const LayerComparison*>& layers) {
  json out = json::array();
  for (const LayerComparison* l : layers) out.push_back(l->name);
  return out;
}

}  // namespace

std::string format_json_report(const CompareReport& r) {
  json j = {{"mode", r.mode},
            {"fp32", r.fp32_source},
            {"int8", r.int8_source},
            {"samples", r.samples},
            {"layer_samples", r.layer_samples},
            {"params_source", r.params_source},
            {"options", {{"data_range", optional_number(r.options.data_range)},
                         {"topk", r.options.topk},
                         {"mask_threshold", optional_number(r.options.mask_threshold)}}},
            {"outputs", json::array()},
            {"values", json::array()},
            {"layers", json::array()},
            {"ranking", {{"cumulative", names(rank_by_cumulative(r))}, {"isolated", names(rank_by_isolated(r))}}},
            {"histograms", json::array()},
            {"simulation", r.simulation ? simulation_json(*r.simulation) : json(nullptr)}};
  for (const auto& o : r.outputs) j["outputs"].push_back(output_json(o));
  for (const auto& v : r.values) j["values"].push_back(value_json(v));
  for (const auto& l : r.layers) j["layers"].push_back(layer_json(l));
  for (const auto& h : r.histograms) j["histograms"].push_back(histogram_json(h));
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace ptqc
