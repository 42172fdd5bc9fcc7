#include "compare/layer_quant_params.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "compare/layer_matching.h"
#include "ptqc/error.h"
#include "ptqc/file_io.h"
#include "runtime/op_registry.h"
#include "runtime/quant_traits.h"

namespace ptqc {

namespace {

/// The activation quantization of an INT8 value: scale_d and AscendQuant's scale.
struct ActivationScale {
  float scale_d = 1;
  float quant_scale = 1;
};

bool is_ptqc(const Node& n, const char* op) { return n.domain == kPtqcDomain && n.op_type == op; }

const Node* producer(const Graph& g, const std::string& value) {
  for (const Node& n : g.nodes) {
    if (std::find(n.outputs.begin(), n.outputs.end(), value) != n.outputs.end()) return &n;
  }
  return nullptr;
}

std::vector<const Node*> readers(const Graph& g, const std::string& value) {
  std::vector<const Node*> found;
  for (const Node& n : g.nodes) {
    if (std::find(n.inputs.begin(), n.inputs.end(), value) != n.inputs.end()) found.push_back(&n);
  }
  return found;
}

/// The scale of INT8 value \p value of \p g, when the graph determines it.
std::optional<ActivationScale> activation_scale(const Graph& g, const std::string& value) {
  const Node* p = producer(g, value);
  // An op that moves int8 values (MaxPool, Transpose, ... after an AscendRequant) keeps their quantization.
  if (p && copies_first_input(*p) && !p->inputs.empty()) return activation_scale(g, p->inputs[0]);
  // AscendRequant keeps the scale of the AscendQuant it replaced.
  if (p && (is_ptqc(*p, "AscendQuant") || (is_ptqc(*p, "AscendRequant") && p->has_attr("scale")))) {
    const float s = p->attr_float("scale", 1.0f);
    return ActivationScale{1.0f / s, s};
  }
  // QAveragePool keeps its input's quantization, so its AscendDequant's deq_scale is scale_d.
  for (const Node* pool : readers(g, value)) {
    if (!is_ptqc(*pool, "QAveragePool")) continue;
    for (const Node* deq : readers(g, pool->outputs[0])) {
      const std::vector<float> d = deq->attr_floats("deq_scale");
      if (is_ptqc(*deq, "AscendDequant") && d.size() == 1) return ActivationScale{d[0], 1.0f / d[0]};
    }
  }
  return std::nullopt;
}

/// What the .om determines about one layer.
struct OmLayer {
  int32_t offset_d = 0;
  std::optional<ActivationScale> input;
  std::optional<ActivationScale> input_b;  ///< QBatchMatMul's second input
  int32_t offset_b = 0;
  std::optional<std::vector<float>> scale_w;  ///< for layers with weights
  std::string note;                           ///< what is missing
};

std::string missing_scale(const std::string& value) {
  return "the .om keeps no scale for '" + value + "' (an AscendRequant output): give --record";
}

OmLayer om_layer(const Graph& fp32, const Graph& int8, const Node& q) {
  OmLayer l;
  l.offset_d = static_cast<int32_t>(q.attr_int("x_offset", 0));
  l.input = activation_scale(int8, q.inputs[0]);
  if (!l.input) l.note = missing_scale(q.inputs[0]);
  if (q.op_type == "QBatchMatMul" && l.input) {
    l.offset_b = static_cast<int32_t>(q.attr_int("b_offset", 0));
    l.input_b = activation_scale(int8, q.inputs[1]);
    if (!l.input_b) {
      l.note = missing_scale(q.inputs[1]);
      return l;
    }
  }
  if (q.op_type == "QAveragePool" || !l.input) return l;
  float alpha = 1.0f;
  for (const Node& n : fp32.nodes) {
    if (n.name == q.name) alpha = product_scale(n);
  }
  const float scale_d = l.input->scale_d;
  for (const Node* r : readers(int8, q.outputs[0])) {
    std::vector<float> scale_w;
    if (is_ptqc(*r, "AscendDequant")) {
      for (float d : r->attr_floats("deq_scale")) scale_w.push_back(d / (alpha * scale_d));
    } else if (is_ptqc(*r, "AscendRequant")) {
      const auto out = activation_scale(int8, r->outputs[0]);
      if (!out) {
        l.note = missing_scale(r->outputs[0]);
        return l;
      }
      for (float s : r->attr_floats("req_scale")) scale_w.push_back(s * out->scale_d / (alpha * scale_d));
    } else {
      continue;
    }
    l.scale_w = std::move(scale_w);
    return l;
  }
  l.note = "no AscendDequant or AscendRequant reads '" + q.outputs[0] + "'";
  return l;
}

LayerQuantParams params_of(const OmLayer& l, bool has_weights) {
  LayerQuantParams p;
  p.source = "om";
  p.offset_d = l.offset_d;
  p.note = l.note;
  if (l.input) {
    p.scale_d = l.input->scale_d;
    p.quant_scale = l.input->quant_scale;
  }
  if (l.scale_w) p.scale_w = *l.scale_w;
  if (l.input_b) p.quant_scale_b = l.input_b->quant_scale;
  p.offset_b = l.offset_b;
  p.known = l.input && (!has_weights || l.scale_w);
  return p;
}

bool close(double a, double b) { return std::fabs(a - b) <= 1e-5 * std::max(std::fabs(a), std::fabs(b)); }

/// The layers of quant_record.json, by name.
std::map<std::string, LayerQuantParams> read_record(const std::string& file) {
  const std::string text = read_file_bytes(file, kMaxTextFileBytes, "calibration record");
  std::map<std::string, LayerQuantParams> layers;
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    for (const auto& l : j.at("layers")) {
      LayerQuantParams p;
      p.known = true;
      p.source = "record";
      p.scale_d = l.at("scale_d").get<float>();
      p.quant_scale = 1.0f / p.scale_d;  // as the INT8 rewrite computes AscendQuant's scale
      p.offset_d = l.at("offset_d").get<int32_t>();
      p.scale_w = l.at("scale_w").get<std::vector<float>>();
      p.offset_b = l.at("offset_w").get<int32_t>();
      if (!p.scale_w.empty()) p.quant_scale_b = 1.0f / p.scale_w[0];
      const std::string name = l.at("layer").get<std::string>();
      const bool finite_positive = std::all_of(p.scale_w.begin(), p.scale_w.end(), [](float s) { return std::isfinite(s) && s > 0; });
      if (!(std::isfinite(p.scale_d) && p.scale_d > 0) || p.offset_d < -128 || p.offset_d > 127 || !finite_positive) {
        throw Error(ErrorCode::kInvalidData, file + ": layer '" + name + "' needs scale_d > 0, offset_d in [-128, 127] and scale_w > 0");
      }
      layers[name] = p;
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorCode::kInvalidData, file + ": not a ptqc calibration record (quant_record.json): " + e.what());
  }
  return layers;
}

}  // namespace

void read_layer_params(std::vector<LayerComparison>& layers, const Graph& fp32, const Graph& int8,
                       const std::string& record_path) {
  std::vector<OmLayer> om;
  for (LayerComparison& layer : layers) {
    const auto q = std::find_if(int8.nodes.begin(), int8.nodes.end(),
                                [&](const Node& n) { return n.name == layer.name && is_quantized_layer(n); });
    om.push_back(om_layer(fp32, int8, *q));
    layer.params = params_of(om.back(), q->op_type != "QAveragePool");
  }
  if (record_path.empty()) return;
  const std::string file = std::filesystem::is_directory(record_path)
                               ? (std::filesystem::path(record_path) / "quant_record.json").string()
                               : record_path;
  const auto record = read_record(file);
  auto mismatch = [&](const std::string& layer, const std::string& why) {
    return Error(ErrorCode::kInvalidValue, "Value [" + record_path + "] for parameter [--record] is invalid. Reason: layer '" +
                                               layer + "' " + why + ": the record was not made for this .om");
  };
  for (size_t i = 0; i < layers.size(); ++i) {
    const std::string& name = layers[i].name;
    const auto it = record.find(name);
    if (it == record.end()) throw mismatch(name, "is not in " + file);
    const LayerQuantParams& r = it->second;
    if (r.offset_d != om[i].offset_d) {
      throw mismatch(name, "has offset_d " + std::to_string(r.offset_d) + " in the record, " +
                               std::to_string(om[i].offset_d) + " in the .om");
    }
    if (om[i].input && !close(r.scale_d, om[i].input->scale_d)) throw mismatch(name, "has another scale_d in the .om");
    if (r.offset_b != om[i].offset_b) {
      throw mismatch(name, "has offset_w " + std::to_string(r.offset_b) + " in the record, b_offset " +
                               std::to_string(om[i].offset_b) + " in the .om");
    }
    const std::vector<float> om_scale_w = om[i].scale_w.value_or(std::vector<float>{});
    if (!om_scale_w.empty() && r.scale_w.size() != 1 && r.scale_w.size() != om_scale_w.size()) {
      throw mismatch(name, "has " + std::to_string(r.scale_w.size()) + " weight scales in the record, " +
                               std::to_string(om_scale_w.size()) + " channels in the .om");
    }
    for (size_t c = 0; c < om_scale_w.size(); ++c) {
      if (!close(r.scale_w[r.scale_w.size() == 1 ? 0 : c], om_scale_w[c])) {
        throw mismatch(name, "has another scale_w[" + std::to_string(c) + "] in the .om");
      }
    }
    layers[i].params = r;
  }
}

}  // namespace ptqc
