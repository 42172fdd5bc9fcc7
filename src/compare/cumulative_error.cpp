#include "compare/cumulative_error.h"

#include "runtime/op_registry.h"

namespace ptqc {

CumulativeError::CumulativeError(const Graph& fp32, const Graph& int8) {
  std::set<std::string> produced;
  std::map<std::string, const Node*> fp32_nodes;
  for (const Node& n : fp32.nodes) {
    produced.insert(n.outputs.begin(), n.outputs.end());
    fp32_nodes[n.name] = &n;
  }
  std::map<std::string, const Node*> requant_of;  // AscendRequant output -> node
  for (const Node& n : int8.nodes) {
    for (const std::string& v : n.outputs) {
      if (!v.empty() && produced.count(v)) shared_.insert(v);
    }
    if (n.domain == kPtqcDomain && n.op_type == "AscendRequant" && n.has_attr("scale") && !n.outputs.empty()) {
      requant_of[n.outputs[0]] = &n;
    }
    // An op that moves a requantized tensor's values keeps its quantization (docs/quantization.md).
    const bool moves_requantized = copies_first_input(n) && !n.inputs.empty() && !n.outputs.empty();
    if (moves_requantized && requant_of.count(n.inputs[0])) requant_of[n.outputs[0]] = requant_of.at(n.inputs[0]);
  }
  // The FP32 value behind a requantized tensor: the input 0 of the FP32 layer that reads it.
  for (const Node& reader : int8.nodes) {
    const auto layer = fp32_nodes.find(reader.name);
    if (reader.inputs.empty() || layer == fp32_nodes.end() || layer->second->inputs.empty()) continue;
    const auto requant = requant_of.find(reader.inputs[0]);
    const std::string& fp32_value = layer->second->inputs[0];
    if (requant == requant_of.end() || shared_.count(fp32_value) || requantized_.count(requant->first)) continue;
    requantized_[requant->first] = {fp32_value, requant->second->attr_float("scale", 1.0f),
                                    static_cast<int32_t>(requant->second->attr_int("offset", 0))};
    shared_.insert(fp32_value);
  }
}

void CumulativeError::keep_reference(const std::string& value, const Tensor& tensor) {
  if (shared_.count(value) && tensor.dtype() == DataType::kFloat32) reference_[value] = tensor.clone();
}

void CumulativeError::add_test(const std::string& value, const Tensor& tensor) {
  const auto requantized = requantized_.find(value);
  if (requantized != requantized_.end() && tensor.dtype() == DataType::kInt8) {
    const Requantized& r = requantized->second;
    Tensor dequantized(DataType::kFloat32, tensor.shape());
    const int8_t* q = tensor.data<int8_t>();
    float* out = dequantized.data<float>();
    for (int64_t i = 0; i < tensor.numel(); ++i) out[i] = static_cast<float>(q[i] - r.offset) / r.scale;
    from_requantized_.insert(r.fp32_value);
    add_test(r.fp32_value, dequantized);
    return;
  }
  const auto it = reference_.find(value);
  if (it == reference_.end()) return;
  if (tensor.dtype() == DataType::kFloat32 && tensor.shape() == it->second.shape()) {
    sums_[value].add(it->second.values<float>(), tensor.values<float>());
  }
  reference_.erase(it);
}

std::map<std::string, ValueError> CumulativeError::results() const {
  std::map<std::string, ValueError> out;
  for (const auto& [value, s] : sums_) out[value] = {value, s.sqnr_db(), s.cosine(), s.max_abs_err, from_requantized_.count(value) != 0};
  return out;
}

std::vector<ValueError> CumulativeError::in_graph_order(const Graph& fp32) const {
  const auto measured = results();
  std::vector<ValueError> ordered;
  for (const Node& n : fp32.nodes) {
    for (const std::string& v : n.outputs) {
      if (measured.count(v)) ordered.push_back(measured.at(v));
    }
  }
  return ordered;
}

}  // namespace ptqc
