#include "om/memory_plan.h"

#include <algorithm>
#include <map>

#include "om/byte_layout.h"
#include "ptqc/om.h"

namespace ptqc {

std::string kernel_name(const Node& node) {
  return node.domain.empty() || node.domain == "ai.onnx" ? node.op_type : node.domain + "." + node.op_type;
}

std::vector<ProducedValue> produced_values(const Graph& graph) {
  const auto last = last_uses(graph);
  std::vector<ProducedValue> values;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    for (const auto& name : graph.nodes[i].outputs) {
      if (name.empty()) continue;
      ProducedValue v{name, i, i, std::nullopt};
      if (auto it = last.find(name); it != last.end()) v.last_op = std::max<uint64_t>(i, it->second);
      const std::optional<ValueInfo> info = graph.info(name);
      if (info && info->dtype != DataType::kUndefined && info->is_static()) {
        v.bytes = checked_tensor_bytes(info->dims, info->dtype, "value '" + name + "'");
      }
      values.push_back(std::move(v));
    }
  }
  return values;
}

namespace {

/// The placed values, found by lifetime: a segment tree over op indices answers "which
/// placed values are live at op t", and a map by first op answers "which start in (a, b]".
/// Together they list the values whose lifetime meets [a, b] in O(log n + answers), so
/// planning n values costs O(n log n) plus the number of lifetime overlaps, not O(n^2).
class PlacedByLifetime {
 public:
  explicit PlacedByLifetime(uint64_t ops) {
    while (leaves_ < ops) leaves_ *= 2;
    covering_.resize(2 * leaves_);
  }

  void add(uint32_t id, uint64_t first_op, uint64_t last_op) {
    starts_.emplace(first_op, id);
    // The O(log n) tree nodes whose ranges tile [first_op, last_op].
    for (uint64_t l = first_op + leaves_, r = last_op + leaves_ + 1; l < r; l /= 2, r /= 2) {
      if (l & 1) covering_[l++].push_back(id);
      if (r & 1) covering_[--r].push_back(id);
    }
  }

  /// Every added value whose lifetime meets [first_op, last_op], each once.
  std::vector<uint32_t> meeting(uint64_t first_op, uint64_t last_op) const {
    std::vector<uint32_t> found;
    // Lifetimes that contain first_op ...
    for (uint64_t node = first_op + leaves_; node >= 1; node /= 2) {
      found.insert(found.end(), covering_[node].begin(), covering_[node].end());
    }
    // ... and those that start after it, no later than last_op (these do not contain first_op).
    for (auto it = starts_.upper_bound(first_op); it != starts_.end() && it->first <= last_op; ++it) {
      found.push_back(it->second);
    }
    return found;
  }

 private:
  uint64_t leaves_ = 1;
  std::vector<std::vector<uint32_t>> covering_;
  std::multimap<uint64_t, uint32_t> starts_;
};

}  // namespace

ExecutionPlan plan_execution(const Graph& graph) {
  ExecutionPlan plan;
  for (const Node& node : graph.nodes) plan.tasks.push_back({node.name, kernel_name(node)});
  const std::vector<ProducedValue> values = produced_values(graph);
  std::vector<size_t> planned;
  for (size_t i = 0; i < values.size(); ++i) {
    const ProducedValue& v = values[i];
    plan.values.push_back({v.name, -1, v.bytes.value_or(0), v.first_op, v.last_op});
    if (v.bytes) planned.push_back(i);
  }
  // Greedy by size: the largest values choose first, so small ones fill the gaps.
  std::stable_sort(planned.begin(), planned.end(),
                   [&](size_t a, size_t b) { return plan.values[a].size > plan.values[b].size; });
  PlacedByLifetime placed(graph.nodes.size() + 1);  // last_op may be the op count (graph outputs)
  uint64_t arena_end = 0;
  for (size_t index : planned) {
    ExecutionPlan::Placement& value = plan.values[index];
    std::vector<const ExecutionPlan::Placement*> live;  // placed values whose lifetime meets this one's
    for (uint32_t other : placed.meeting(value.first_op, value.last_op)) live.push_back(&plan.values[other]);
    std::sort(live.begin(), live.end(), [](const auto* a, const auto* b) { return a->offset < b->offset; });
    // Invariant: [offset, offset + size) overlaps none of the live values before the cursor.
    uint64_t offset = 0;
    for (const auto* other : live) {
      const uint64_t other_begin = static_cast<uint64_t>(other->offset);
      if (offset + value.size <= other_begin) break;
      offset = std::max(offset, om_layout::align_up(other_begin + other->size, kOmAlignment));
    }
    value.offset = static_cast<int64_t>(offset);
    arena_end = std::max(arena_end, offset + value.size);
    placed.add(static_cast<uint32_t>(index), value.first_op, value.last_op);
  }
  plan.arena_size = om_layout::align_up(arena_end, kOmAlignment);
  return plan;
}

}  // namespace ptqc
