#include "om/memory_plan.h"

#include <algorithm>

#include "om/byte_layout.h"
#include "ptqc/om.h"

namespace ptqc {

std::string kernel_name(const Node& node) {
  return node.domain.empty() || node.domain == "ai.onnx" ? node.op_type : node.domain + "." + node.op_type;
}

std::vector<ProducedValue> produced_values(const Graph& graph) {
  const std::map<std::string, size_t> last = last_uses(graph);
  std::vector<ProducedValue> values;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    for (const auto& name : graph.nodes[i].outputs) {
      if (name.empty()) continue;
      ProducedValue v{name, i, i, std::nullopt};
      if (auto it = last.find(name); it != last.end()) v.last_op = std::max<uint64_t>(i, it->second);
      const std::optional<ValueInfo> info = graph.info(name);
      if (info && info->dtype != DataType::kUndefined && info->is_static()) {
        v.bytes = om_layout::tensor_bytes(info->dtype, info->dims);
      }
      values.push_back(std::move(v));
    }
  }
  return values;
}

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
  std::vector<const ExecutionPlan::Placement*> placed;
  uint64_t arena_end = 0;
  for (size_t index : planned) {
    ExecutionPlan::Placement& value = plan.values[index];
    std::vector<const ExecutionPlan::Placement*> live;  // placed values whose lifetime meets this one's
    for (const auto* other : placed) {
      if (other->first_op <= value.last_op && value.first_op <= other->last_op) live.push_back(other);
    }
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
    placed.push_back(&value);
  }
  plan.arena_size = om_layout::align_up(arena_end, kOmAlignment);
  return plan;
}

}  // namespace ptqc
