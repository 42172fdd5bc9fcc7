#include "compare/cumulative_error.h"

namespace ptqc {

CumulativeError::CumulativeError(const Graph& fp32, const Graph& int8) {
  std::set<std::string> produced;
  for (const Node& n : fp32.nodes) produced.insert(n.outputs.begin(), n.outputs.end());
  for (const Node& n : int8.nodes) {
    for (const std::string& v : n.outputs) {
      if (!v.empty() && produced.count(v)) shared_.insert(v);
    }
  }
}

void CumulativeError::keep_reference(const std::string& value, const Tensor& tensor) {
  if (shared_.count(value) && tensor.dtype() == DataType::kFloat32) reference_[value] = tensor.clone();
}

void CumulativeError::add_test(const std::string& value, const Tensor& tensor) {
  const auto it = reference_.find(value);
  if (it == reference_.end()) return;
  if (tensor.dtype() == DataType::kFloat32 && tensor.shape() == it->second.shape()) {
    sums_[value].add(it->second.values<float>(), tensor.values<float>());
  }
  reference_.erase(it);
}

std::map<std::string, ValueError> CumulativeError::results() const {
  std::map<std::string, ValueError> out;
  for (const auto& [value, s] : sums_) out[value] = {value, s.sqnr_db(), s.cosine(), s.max_abs_err};
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
