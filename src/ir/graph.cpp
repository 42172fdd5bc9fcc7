#include "ptqc/graph.h"

#include <functional>
#include <queue>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "ptqc/error.h"

namespace ptqc {

bool ValueInfo::is_static() const {
  if (!has_shape) return false;
  for (int64_t d : dims) {
    if (d < 0) return false;
  }
  return true;
}

namespace {

const Attribute* find_attr(const Node& node, const std::string& key, Attribute::Kind kind) {
  auto it = node.attrs.find(key);
  if (it == node.attrs.end()) return nullptr;
  if (it->second.kind != kind) {
    throw Error(ErrorCode::kInvalidModel, node.describe() + ": attribute '" + key + "' has the wrong type");
  }
  return &it->second;
}

}  // namespace

int64_t Node::attr_int(const std::string& key, int64_t fallback) const {
  const Attribute* a = find_attr(*this, key, Attribute::Kind::kInt);
  return a ? a->i : fallback;
}

float Node::attr_float(const std::string& key, float fallback) const {
  const Attribute* a = find_attr(*this, key, Attribute::Kind::kFloat);
  return a ? a->f : fallback;
}

std::string Node::attr_string(const std::string& key, const std::string& fallback) const {
  const Attribute* a = find_attr(*this, key, Attribute::Kind::kString);
  return a ? a->s : fallback;
}

std::vector<int64_t> Node::attr_ints(const std::string& key, const std::vector<int64_t>& fallback) const {
  const Attribute* a = find_attr(*this, key, Attribute::Kind::kInts);
  return a ? a->ints : fallback;
}

std::vector<float> Node::attr_floats(const std::string& key, const std::vector<float>& fallback) const {
  const Attribute* a = find_attr(*this, key, Attribute::Kind::kFloats);
  return a ? a->floats : fallback;
}

const Tensor* Node::attr_tensor(const std::string& key) const {
  const Attribute* a = find_attr(*this, key, Attribute::Kind::kTensor);
  return a ? &a->t : nullptr;
}

std::string Node::describe() const { return op_type + " '" + name + "'"; }

const Tensor* Graph::constant(const std::string& value) const {
  auto it = initializers.find(value);
  return it == initializers.end() ? nullptr : &it->second;
}

std::optional<ValueInfo> Graph::info(const std::string& value) const {
  for (const auto& v : inputs) {
    if (v.name == value) return v;
  }
  if (const Tensor* t = constant(value)) return ValueInfo{value, t->dtype(), t->shape(), true, DataType::kUndefined};
  auto it = value_info.find(value);
  if (it != value_info.end()) return it->second;
  for (const auto& v : outputs) {
    if (v.name == value) return v;
  }
  return std::nullopt;
}

void topological_sort(Graph& graph) {
  const size_t n = graph.nodes.size();
  // Views into the nodes' own names: valid until the nodes move, at the very end.
  std::unordered_map<std::string_view, size_t> producer;
  producer.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    for (const auto& out : graph.nodes[i].outputs) {
      if (!out.empty()) producer.emplace(out, i);
    }
  }
  std::vector<std::pair<size_t, size_t>> edges;  // (producer, reader)
  bool ordered = true;
  for (size_t i = 0; i < n; ++i) {
    for (const auto& in : graph.nodes[i].inputs) {
      const auto it = in.empty() ? producer.end() : producer.find(in);
      if (it == producer.end()) continue;
      edges.emplace_back(it->second, i);
      ordered = ordered && it->second < i;
    }
  }
  if (ordered) return;  // the common case: ONNX files are stored in order
  // The readers of each node in compressed rows: one allocation, not one per node.
  std::vector<size_t> pending(n, 0), row_begin(n + 1, 0), readers(edges.size());
  for (const auto& [d, r] : edges) {
    ++row_begin[d + 1];
    ++pending[r];
  }
  for (size_t i = 0; i < n; ++i) row_begin[i + 1] += row_begin[i];
  std::vector<size_t> filled(row_begin.begin(), row_begin.end() - 1);
  for (const auto& [d, r] : edges) readers[filled[d]++] = r;
  // Kahn's algorithm; the ready set is a min-heap of original indices, so the result is stable.
  std::priority_queue<size_t, std::vector<size_t>, std::greater<>> ready;
  for (size_t i = 0; i < n; ++i) {
    if (pending[i] == 0) ready.push(i);
  }
  std::vector<size_t> order;
  order.reserve(n);
  while (!ready.empty()) {
    const size_t i = ready.top();
    ready.pop();
    order.push_back(i);
    for (size_t r = row_begin[i]; r < row_begin[i + 1]; ++r) {
      if (--pending[readers[r]] == 0) ready.push(readers[r]);
    }
  }
  if (order.size() != n) {
    for (size_t i = 0; i < n; ++i) {
      if (pending[i] != 0) throw Error(ErrorCode::kInvalidModel, "the graph has a cycle through " + graph.nodes[i].describe());
    }
  }
  std::vector<Node> sorted;
  sorted.reserve(n);
  for (size_t i : order) sorted.push_back(std::move(graph.nodes[i]));
  graph.nodes = std::move(sorted);
}

void validate(const Graph& graph) {
  std::unordered_set<std::string_view> defined;
  defined.reserve(graph.nodes.size() + graph.initializers.size() + graph.inputs.size());
  auto define = [&](const std::string& name, const std::string& by) {
    if (name.empty()) return;
    if (!defined.insert(name).second) {
      throw Error(ErrorCode::kInvalidModel, "value '" + name + "' is produced more than once (again by " + by + ")");
    }
  };
  for (const auto& [name, tensor] : graph.initializers) define(name, "initializer");
  for (const auto& in : graph.inputs) {
    if (!graph.is_constant(in.name)) define(in.name, "graph input");
  }
  for (const auto& node : graph.nodes) {
    for (const auto& in : node.inputs) {
      if (!in.empty() && !defined.count(in)) {
        throw Error(ErrorCode::kInvalidModel, node.describe() + " reads value '" + in +
                                                  "', which no earlier node, graph input or initializer produces");
      }
    }
    for (const auto& out : node.outputs) {
      if (!out.empty() && defined.count(out)) {
        throw Error(ErrorCode::kInvalidModel, "value '" + out + "' is produced more than once (again by " + node.describe() + ")");
      }
      define(out, "");
    }
  }
  std::unordered_set<std::string_view> seen_outputs;
  for (const auto& out : graph.outputs) {
    if (!defined.count(out.name)) throw Error(ErrorCode::kInvalidModel, "graph output '" + out.name + "' is never produced");
    if (!seen_outputs.insert(out.name).second) {
      throw Error(ErrorCode::kInvalidModel, "graph output '" + out.name + "' is listed twice");
    }
  }
}

std::unordered_map<std::string_view, size_t> last_uses(const Graph& graph) {
  std::unordered_map<std::string_view, size_t> last;
  last.reserve(graph.nodes.size() + graph.outputs.size());
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    for (const auto& in : graph.nodes[i].inputs) {
      if (!in.empty()) last[in] = i;
    }
  }
  for (const auto& out : graph.outputs) last[out.name] = graph.nodes.size();
  return last;
}

}  // namespace ptqc
