#include "om/task_info.h"

#include <algorithm>
#include <map>
#include <queue>

#include "om/corrupt_file.h"
#include "om/memory_plan.h"

namespace ptqc {

namespace {

using Placement = ExecutionPlan::Placement;

void check_tasks(const ExecutionPlan& plan, const Graph& graph, const std::string& origin) {
  if (plan.tasks.size() != graph.nodes.size()) {
    throw_corrupt_om(origin, "TASK_INFO has " + std::to_string(plan.tasks.size()) + " tasks for " +
                                 std::to_string(graph.nodes.size()) + " ops");
  }
  for (size_t i = 0; i < plan.tasks.size(); ++i) {
    const Node& node = graph.nodes[i];
    if (plan.tasks[i].op_name != node.name || plan.tasks[i].kernel != kernel_name(node)) {
      throw_corrupt_om(origin, "TASK_INFO task " + std::to_string(i) + " (kernel '" + plan.tasks[i].kernel +
                                   "' for '" + plan.tasks[i].op_name + "') does not match op " + std::to_string(i) +
                                   ", " + node.describe());
    }
  }
}

void check_placements(const ExecutionPlan& plan, const Graph& graph, const std::string& origin) {
  const std::vector<ProducedValue> expected = produced_values(graph);
  if (plan.values.size() != expected.size()) {
    throw_corrupt_om(origin, "TASK_INFO places " + std::to_string(plan.values.size()) + " values, but the ops produce " +
                                 std::to_string(expected.size()));
  }
  if (plan.arena_size % kOmAlignment != 0) {
    throw_corrupt_om(origin, "TASK_INFO arena size " + std::to_string(plan.arena_size) + " is not a multiple of " +
                                 std::to_string(kOmAlignment));
  }
  for (size_t i = 0; i < expected.size(); ++i) {
    const Placement& p = plan.values[i];
    const ProducedValue& e = expected[i];
    const std::string what = "TASK_INFO value '" + p.name + "'";
    if (p.name != e.name || p.first_op != e.first_op || p.last_op != e.last_op) {
      throw_corrupt_om(origin, what + " (ops " + std::to_string(p.first_op) + ".." + std::to_string(p.last_op) +
                                   ") does not match output '" + e.name + "' of the graph (ops " +
                                   std::to_string(e.first_op) + ".." + std::to_string(e.last_op) + ")");
    }
    if (p.offset == -1) {
      if (p.size != 0) throw_corrupt_om(origin, what + " is not planned but has size " + std::to_string(p.size));
      continue;
    }
    if (!e.bytes || p.size != *e.bytes) {
      throw_corrupt_om(origin, what + " is planned with " + std::to_string(p.size) + " bytes, but the graph gives it " +
                                   (e.bytes ? std::to_string(*e.bytes) + " bytes" : "no static size"));
    }
    const bool inside = p.offset >= 0 && static_cast<uint64_t>(p.offset) <= plan.arena_size &&
                        p.size <= plan.arena_size - static_cast<uint64_t>(p.offset);
    if (!inside || p.offset % static_cast<int64_t>(kOmAlignment) != 0) {
      throw_corrupt_om(origin, what + " at offset " + std::to_string(p.offset) + " (" + std::to_string(p.size) +
                                   " bytes) is not a 64-byte aligned range of the " +
                                   std::to_string(plan.arena_size) + "-byte arena");
    }
  }
}

[[noreturn]] void throw_live_overlap(const Placement& a, const Placement& b, const std::string& origin) {
  throw_corrupt_om(origin, "TASK_INFO places '" + a.name + "' and '" + b.name +
                               "' in overlapping arena bytes while both are live");
}

/// Two planned values that are live at the same time must not share a byte. A sweep over
/// the ops in production order keeps the live values by offset; as those never overlap each
/// other, a new value need only be checked against its neighbours there: O(n log n).
void check_no_live_overlap(const ExecutionPlan& plan, const std::string& origin) {
  std::vector<const Placement*> planned;
  for (const Placement& p : plan.values) {
    if (p.offset >= 0 && p.size > 0) planned.push_back(&p);
  }
  std::stable_sort(planned.begin(), planned.end(), [](const auto* a, const auto* b) { return a->first_op < b->first_op; });
  std::map<uint64_t, const Placement*> live;  // offset -> value
  auto ends_first = [](const Placement* a, const Placement* b) { return a->last_op > b->last_op; };
  std::priority_queue<const Placement*, std::vector<const Placement*>, decltype(ends_first)> by_end(ends_first);
  for (const Placement* p : planned) {
    while (!by_end.empty() && by_end.top()->last_op < p->first_op) {
      live.erase(static_cast<uint64_t>(by_end.top()->offset));
      by_end.pop();
    }
    const auto offset = static_cast<uint64_t>(p->offset);
    const auto [at, inserted] = live.emplace(offset, p);
    if (!inserted) throw_live_overlap(*at->second, *p, origin);
    if (at != live.begin()) {
      const Placement& before = *std::prev(at)->second;
      if (static_cast<uint64_t>(before.offset) + before.size > offset) throw_live_overlap(before, *p, origin);
    }
    if (const auto after = std::next(at); after != live.end() && offset + p->size > after->first) {
      throw_live_overlap(*p, *after->second, origin);
    }
    by_end.push(p);
  }
}

}  // namespace

void encode_task_info(const ExecutionPlan& plan, proto::TaskInfoDef& def) {
  for (const auto& task : plan.tasks) {
    proto::KernelTask& t = *def.add_task();
    t.set_op_name(task.op_name);
    t.set_kernel(task.kernel);
  }
  for (const auto& p : plan.values) {
    proto::ValuePlacement& v = *def.add_value();
    v.set_name(p.name);
    v.set_offset(p.offset);
    v.set_size(p.size);
    v.set_first_op(p.first_op);
    v.set_last_op(p.last_op);
  }
  def.set_arena_size(plan.arena_size);
  def.set_alignment(static_cast<uint32_t>(kOmAlignment));
}

ExecutionPlan decode_task_info(const proto::TaskInfoDef& def, const Graph& graph, const std::string& origin) {
  if (def.alignment() != kOmAlignment) {
    throw_corrupt_om(origin, "TASK_INFO alignment is " + std::to_string(def.alignment()) + "; ptqc plans with " +
                                 std::to_string(kOmAlignment));
  }
  ExecutionPlan plan;
  for (const auto& t : def.task()) plan.tasks.push_back({t.op_name(), t.kernel()});
  for (const auto& v : def.value()) plan.values.push_back({v.name(), v.offset(), v.size(), v.first_op(), v.last_op()});
  plan.arena_size = def.arena_size();
  check_tasks(plan, graph, origin);
  check_placements(plan, graph, origin);
  check_no_live_overlap(plan, origin);
  return plan;
}

}  // namespace ptqc
