#include "ptqc/graph.h"

#include <deque>
#include <set>
#include <unordered_map>

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
  std::unordered_map<std::string, size_t> producer;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    for (const auto& out : graph.nodes[i].outputs) {
      if (!out.empty()) producer[out] = i;
    }
  }
  // Kahn's algorithm; the ready set is ordered by original index so the result is stable.
  std::vector<size_t> pending(graph.nodes.size(), 0);
  std::vector<std::vector<size_t>> consumers(graph.nodes.size());
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    std::set<size_t> deps;
    for (const auto& in : graph.nodes[i].inputs) {
      auto it = producer.find(in);
      if (!in.empty() && it != producer.end()) deps.insert(it->second);
    }
    pending[i] = deps.size();
    for (size_t d : deps) consumers[d].push_back(i);
  }
  std::set<size_t> ready;
  for (size_t i = 0; i < pending.size(); ++i) {
    if (pending[i] == 0) ready.insert(i);
  }
  std::vector<Node> ordered;
  ordered.reserve(graph.nodes.size());
  while (!ready.empty()) {
    size_t i = *ready.begin();
    ready.erase(ready.begin());
    ordered.push_back(std::move(graph.nodes[i]));
    for (size_t c : consumers[i]) {
      if (--pending[c] == 0) ready.insert(c);
    }
  }
  if (ordered.size() != graph.nodes.size()) {
    for (size_t i = 0; i < pending.size(); ++i) {
      if (pending[i] != 0) {
        throw Error(ErrorCode::kInvalidModel, "the graph has a cycle through " + graph.nodes[i].describe());
      }
    }
  }
  graph.nodes = std::move(ordered);
}

void validate(const Graph& graph) {
  std::set<std::string> defined;
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
    for (const auto& out : node.outputs) define(out, node.describe());
  }
  std::set<std::string> seen_outputs;
  for (const auto& out : graph.outputs) {
    if (!defined.count(out.name)) throw Error(ErrorCode::kInvalidModel, "graph output '" + out.name + "' is never produced");
    if (!seen_outputs.insert(out.name).second) {
      throw Error(ErrorCode::kInvalidModel, "graph output '" + out.name + "' is listed twice");
    }
  }
}

std::map<std::string, size_t> last_uses(const Graph& graph) {
  std::map<std::string, size_t> last;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    for (const auto& in : graph.nodes[i].inputs) {
      if (!in.empty()) last[in] = i;
    }
  }
  for (const auto& out : graph.outputs) last[out.name] = graph.nodes.size();
  return last;
}

}  // namespace ptqc
