#include "ptqc/executor.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <unordered_map>

#include "ptqc/error.h"
#include "om/memory_plan.h"
#include "ptqc/om.h"
#include "runtime/buffer_pool.h"
#include "runtime/float16_rounding.h"
#include "runtime/kernels/activation_span.h"
#include "runtime/op_registry.h"

namespace ptqc {

namespace {

/// A node resolved against the value slots: kernel, input/output slot indices,
/// and the slots whose last reader it is.
struct Step {
  const Node* node = nullptr;
  KernelFn kernel = nullptr;
  const OpTraits* traits = nullptr;
  /// The kernel's prepared state, kept across runs when it is built from constants only.
  bool keeps_prepared = false;
  /// With FP16 activations: round the float outputs (false when they copy activations).
  bool rounds_outputs = true;
  std::unique_ptr<PreparedState> prepared;
  std::vector<int> inputs;  // -1 = absent optional input
  std::vector<int> outputs; // -1 = output not wanted
  std::vector<int> release_after;
  /// The kernel's inputs: pointers to the value slots (nullptr = absent), fixed once planned.
  std::vector<const Tensor*> input_tensors;
  /// The kernel's outputs while it runs, then moved to their slots.
  std::vector<Tensor> output_tensors;
  /// Per output, its region of the activation arena (Executor::use_memory_plan); empty without one.
  std::vector<OutputRegion> regions;
  /// Output-stage fusion (OpTraits::output_stage): the steps whose nodes this one's kernel also
  /// runs, in chain order (convert, then maybe activation and quantize; the kernel writes the
  /// last one's output), or the step that runs this one (-1 for none).
  std::vector<int> absorbs;
  int absorbed_by = -1;
};

void check_input(const ValueInfo& info, const Tensor& t) {
  if (t.dtype() != info.dtype) {
    throw Error(ErrorCode::kInvalidData, "input '" + info.name + "' must be " + dtype_name(info.dtype) + ", got " +
                                             dtype_name(t.dtype()));
  }
  if (!info.has_shape) return;
  bool ok = t.shape().size() == info.dims.size();
  for (size_t i = 0; ok && i < info.dims.size(); ++i) ok = info.dims[i] < 0 || info.dims[i] == t.shape()[i];
  if (!ok) {
    std::string e;
    for (size_t i = 0; i < info.dims.size(); ++i) {
      if (i > 0) e += 'x';
      e += info.dims[i] < 0 ? std::string("?") : std::to_string(info.dims[i]);
    }
    throw Error(ErrorCode::kInvalidData, "input '" + info.name + "' must have shape " + (e.empty() ? "scalar" : e) +
                                             ", got " + shape_string(t.shape()));
  }
}

}  // namespace

struct Executor::Impl {
  Graph graph;
  ExecutorOptions options;
  TensorObserver observer;
  BufferPool pool;
  std::vector<Tensor> slots;       // one per value; constants stay loaded
  std::vector<int> input_slots;    // graph inputs
  std::vector<int> output_slots;   // graph outputs
  std::vector<Step> steps;
  std::vector<bool> constant_slot;
  std::vector<double> step_seconds;  // options.profile: time per step, summed over runs
  std::unordered_map<std::string, int> slot_of;  // value name -> slot

  /// The activation arena (use_memory_plan): one block; per slot its region (none for
  /// constants, graph inputs and outputs, and values the plan left out) and offset.
  std::shared_ptr<std::byte> arena;
  size_t arena_size = 0;
  std::vector<OutputRegion> slot_region;
  std::vector<uint64_t> slot_offset;
  size_t values_in_arena = 0;  ///< values the last run stored in their regions

  /// Empties a value slot unless it holds a constant.
  void release(int s) {
    if (!constant_slot[static_cast<size_t>(s)]) slots[static_cast<size_t>(s)] = Tensor();
  }

  void plan() {
    auto slot = [&](const std::string& name) {
      auto [it, inserted] = slot_of.emplace(name, static_cast<int>(slot_of.size()));
      return it->second;
    };
    for (const auto& [name, t] : graph.initializers) slot(name);
    for (const auto& in : graph.inputs) input_slots.push_back(slot(in.name));
    for (const auto& node : graph.nodes) {
      for (const auto& out : node.outputs) {
        if (!out.empty()) slot(out);
      }
    }
    for (const auto& out : graph.outputs) output_slots.push_back(slot_of.at(out.name));
    slots.resize(slot_of.size());
    constant_slot.assign(slot_of.size(), false);
    for (const auto& [name, t] : graph.initializers) {
      slots[static_cast<size_t>(slot_of.at(name))] = t;
      constant_slot[static_cast<size_t>(slot_of.at(name))] = true;
    }

    const auto last = last_uses(graph);
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      const Node& node = graph.nodes[i];
      Step step;
      step.node = &node;
      const OpEntry& entry = OpRegistry::instance().require(node, graph.opset);
      step.kernel = entry.kernel;
      step.traits = &entry.traits;
      step.keeps_prepared = std::all_of(entry.traits.prepared_inputs.begin(), entry.traits.prepared_inputs.end(),
                                        [&](size_t k) { return k >= node.inputs.size() || node.inputs[k].empty() ||
                                                               graph.is_constant(node.inputs[k]); });
      // The reference kernel set rounds every output, so tests can hold the shortcut against it.
      step.rounds_outputs = options.kernels == KernelSet::kReference || !copies_activations(entry.traits.copies, node);
      for (const auto& in : node.inputs) step.inputs.push_back(in.empty() ? -1 : slot_of.at(in));
      for (const auto& out : node.outputs) step.outputs.push_back(out.empty() ? -1 : slot_of.at(out));
      // Values whose last reader is this node (or outputs nobody reads) are released after it.
      auto releasable = [&](const std::string& v) {
        if (v.empty() || graph.is_constant(v)) return false;
        auto it = last.find(v);
        return it == last.end() || it->second == i;
      };
      for (const auto& v : node.inputs) {
        if (releasable(v)) step.release_after.push_back(slot_of.at(v));
      }
      for (const auto& v : node.outputs) {
        if (releasable(v) && !last.count(v)) step.release_after.push_back(slot_of.at(v));
      }
      for (int s : step.inputs) step.input_tensors.push_back(s < 0 ? nullptr : &slots[static_cast<size_t>(s)]);
      step.output_tensors.resize(step.outputs.size());
      steps.push_back(std::move(step));
    }
    if (options.kernels == KernelSet::kFast) plan_output_stages();
    step_seconds.assign(steps.size(), 0.0);
  }

  /// Why \p plan does not describe this executor's steps and values ("" when it does).
  std::string plan_mismatch(const ExecutionPlan& plan) const {
    if (plan.tasks.size() != steps.size()) return std::to_string(plan.tasks.size()) + " tasks for " + std::to_string(steps.size()) + " ops";
    for (size_t i = 0; i < steps.size(); ++i) {
      if (plan.tasks[i].op_name != steps[i].node->name) return "task " + std::to_string(i) + " is '" + plan.tasks[i].op_name + "'";
    }
    // The values and lifetimes the executor runs with (releases follow the same last readers).
    const std::vector<ProducedValue> produced = produced_values(graph);
    if (plan.values.size() != produced.size()) return std::to_string(plan.values.size()) + " placements for " + std::to_string(produced.size()) + " values";
    for (size_t i = 0; i < produced.size(); ++i) {
      const auto& p = plan.values[i];
      if (p.name != produced[i].name || p.first_op != produced[i].first_op || p.last_op != produced[i].last_op) {
        return "placement " + std::to_string(i) + " ('" + p.name + "') differs";
      }
      if (p.offset >= 0 && (static_cast<uint64_t>(p.offset) > plan.arena_size || p.size > plan.arena_size - static_cast<uint64_t>(p.offset))) {
        return "'" + p.name + "' lies outside the arena";
      }
    }
    return "";
  }

  void use_memory_plan(const ExecutionPlan& plan) {
    if (const std::string why = plan_mismatch(plan); !why.empty()) {
      spdlog::warn("the memory plan does not fit the executor's order ({}): activations use the buffer pool", why);
      return;
    }
    arena = plan.arena_size > 0 ? default_allocator().allocate(plan.arena_size) : nullptr;
    arena_size = arena ? plan.arena_size : 0;
    slot_region.assign(slots.size(), {});
    slot_offset.assign(slots.size(), 0);
    std::vector<bool> graph_output(slots.size(), false);
    for (int s : output_slots) graph_output[static_cast<size_t>(s)] = true;  // handed to the caller: never in the arena
    for (const auto& p : plan.values) {
      const size_t s = static_cast<size_t>(slot_of.at(p.name));
      if (!arena || p.offset < 0 || p.size == 0 || graph_output[s]) continue;
      // Each region has its own owner, so shares_buffer_with tells values apart; all keep the block alive.
      std::byte* at = arena.get() + p.offset;
      slot_region[s] = {std::shared_ptr<std::byte>(at, [block = arena](std::byte*) {}), p.size};
      slot_offset[s] = static_cast<uint64_t>(p.offset);
    }
    for (size_t i = 0; i < steps.size(); ++i) {
      Step& step = steps[i];
      step.regions.assign(step.outputs.size(), {});
      for (size_t k = 0; k < step.outputs.size(); ++k) {
        if (step.outputs[k] >= 0) step.regions[k] = slot_region[static_cast<size_t>(step.outputs[k])];
      }
      if (!step.absorbs.empty()) {
        const int written = steps[static_cast<size_t>(step.absorbs.back())].outputs[0];
        step.regions[0] = fused_write_is_safe(i, written) ? slot_region[static_cast<size_t>(written)] : OutputRegion{};
      }
    }
  }

  /// True when step \p i may write \p written, the output of the last step its kernel absorbs
  /// (step j), in that value's region. The plan places it for [j, last reader], so the region may
  /// hold values that die in [i, j): each is read or produced by a step in [i, j), and none may
  /// overlap it. Values the chain hides are never stored and do not count.
  bool fused_write_is_safe(size_t i, int written) const {
    constexpr size_t kMaxSpan = 64;  // checked step by step; longer chains write to the pool
    const Step& step = steps[i];
    const size_t j = static_cast<size_t>(step.absorbs.back());
    if (j - i > kMaxSpan) return false;
    std::vector<int> hidden = {step.outputs[0]};
    for (size_t k = 0; k + 1 < step.absorbs.size(); ++k) hidden.push_back(steps[static_cast<size_t>(step.absorbs[k])].outputs[0]);
    const auto overlaps_written = [&](int u) {
      if (u < 0 || u == written || !slot_region[static_cast<size_t>(u)].storage) return false;
      if (std::find(hidden.begin(), hidden.end(), u) != hidden.end()) return false;
      const auto at = [&](int s) { return slot_offset[static_cast<size_t>(s)]; };
      const auto end = [&](int s) { return at(s) + slot_region[static_cast<size_t>(s)].bytes; };
      return at(u) < end(written) && at(written) < end(u);
    };
    for (size_t t = i; t < j; ++t) {
      if (std::any_of(steps[t].inputs.begin(), steps[t].inputs.end(), overlaps_written) ||
          std::any_of(steps[t].outputs.begin(), steps[t].outputs.end(), overlaps_written)) {
        return false;
      }
    }
    return true;
  }

  /// Keeps the arena's invariant that a value in the arena lives in its own region: an output
  /// that views another arena value (Reshape, Split, ...) is copied to its region, or to a
  /// buffer of its own when it has none (graph outputs) or does not fit.
  void settle_in_arena(int slot, Tensor& t) {
    if (!t.has_values() || t.nbytes() == 0) return;
    const std::byte* data = t.raw();
    if (data < arena.get() || data >= arena.get() + arena_size) return;
    const OutputRegion& region = slot_region[static_cast<size_t>(slot)];
    if (region.storage && data == region.storage.get()) {
      ++values_in_arena;
      return;
    }
    if (!region.storage || t.nbytes() > region.bytes) {
      t = t.clone();
      return;
    }
    Tensor own(t.dtype(), t.shape(), region.storage);
    std::memcpy(own.raw(), data, t.nbytes());
    t = std::move(own);
    ++values_in_arena;
  }

  /// True when every output element of \p node is an element of a non-constant input, which
  /// holds FP16 values already when activations are FP16 (graph inputs are rounded on entry).
  bool copies_activations(ValueCopy copies, const Node& node) const {
    if (copies == ValueCopy::kNone || node.inputs.empty()) return false;
    const size_t copied = copies == ValueCopy::kFirstInput ? 1 : node.inputs.size();
    return std::none_of(node.inputs.begin(), node.inputs.begin() + static_cast<std::ptrdiff_t>(copied),
                        [&](const std::string& v) { return v.empty() || graph.is_constant(v); });
  }

  /// Gives each product whose op can absorb an output stage the chain of only readers that
  /// its kernel can run (AbsorbedNodes): an AscendDequant or AscendRequant of its output, then
  /// after a Dequant an activation with a span function, then an AscendQuant. No value the
  /// chain hides is a graph output or read by anyone else.
  void plan_output_stages() {
    std::unordered_map<std::string_view, std::vector<size_t>> readers;
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      for (const auto& in : graph.nodes[i].inputs) {
        if (!in.empty()) readers[in].push_back(i);
      }
    }
    for (const auto& out : graph.outputs) readers[out.name].push_back(graph.nodes.size());  // never fused
    // The only reader of output 0 of node i, reading it as its input 0, when \p wanted; else -1.
    const auto sole_reader = [&](size_t i, const auto& wanted) -> int {
      const Node& node = graph.nodes[i];
      if (node.outputs.empty() || node.outputs[0].empty()) return -1;
      const auto it = readers.find(node.outputs[0]);
      if (it == readers.end() || it->second.size() != 1 || it->second[0] >= graph.nodes.size()) return -1;
      const Node& r = graph.nodes[it->second[0]];
      const bool reads = r.inputs[0] == node.outputs[0] && !r.outputs.empty() && !r.outputs[0].empty();
      return reads && wanted(r) ? static_cast<int>(it->second[0]) : -1;
    };
    const auto ptqc_op = [](const Node& n, const char* op_type) { return n.domain == kPtqcDomain && n.op_type == op_type; };
    const auto is_convert = [&](const Node& n) { return ptqc_op(n, "AscendDequant") || ptqc_op(n, "AscendRequant"); };
    const auto is_activation = [](const Node& n) { return float_activation_span(n) != nullptr; };
    const auto is_quantize = [&](const Node& n) { return ptqc_op(n, "AscendQuant"); };
    for (size_t i = 0; i < steps.size(); ++i) {
      if (!steps[i].traits->output_stage) continue;
      const int convert = sole_reader(i, is_convert);
      if (convert < 0) continue;
      std::vector<int>& chain = steps[i].absorbs;
      chain = {convert};
      const int activation = ptqc_op(graph.nodes[static_cast<size_t>(convert)], "AscendDequant")
                                 ? sole_reader(static_cast<size_t>(convert), is_activation)
                                 : -1;
      if (activation >= 0) {
        chain.push_back(activation);
        if (const int q = sole_reader(static_cast<size_t>(activation), is_quantize); q >= 0) chain.push_back(q);
      }
      for (int k : chain) steps[static_cast<size_t>(k)].absorbed_by = static_cast<int>(i);
    }
  }

  /// Rounds a fresh float32 output to FP16 values. A view of an input (Reshape, ...)
  /// already holds FP16 values and may share a constant's buffer: it is left alone.
  void store_as_float16(const Step& step, Tensor& out) {
    if (out.dtype() != DataType::kFloat32) return;
    for (int s : step.inputs) {
      if (s >= 0 && out.shares_buffer_with(slots[static_cast<size_t>(s)])) return;
    }
    round_to_float16(out, options.threads);
  }

  void execute(Step& step) {
    if (!options.profile) return compute(step);
    const auto start = std::chrono::steady_clock::now();
    compute(step);
    step_seconds[static_cast<size_t>(&step - steps.data())] +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }

  void compute(Step& step) {
    // An observer sees every value, so fusion is off while one is installed.
    const bool fused = !observer;
    if (fused && step.absorbed_by >= 0) {  // its producer wrote its output
      for (int s : step.release_after) release(s);
      return;
    }
    AbsorbedNodes absorbed;
    const Step* last = nullptr;  // the absorbed step whose output the kernel writes
    if (fused && !step.absorbs.empty()) {
      const auto node_of = [&](size_t k) {
        return k < step.absorbs.size() ? steps[static_cast<size_t>(step.absorbs[k])].node : nullptr;
      };
      absorbed = AbsorbedNodes{node_of(0), node_of(1), node_of(2)};
      last = &steps[static_cast<size_t>(step.absorbs.back())];
    }
    std::vector<Tensor>& outputs = step.output_tensors;
    for (Tensor& t : outputs) t = Tensor();
    // An observer may keep what it sees, so values stay out of the arena while one is installed.
    const bool in_arena = arena && !observer;
    const KernelEnv env{pool,
                        options.threads,
                        options.kernels,
                        step.keeps_prepared ? &step.prepared : nullptr,
                        absorbed,
                        options.float16_activations,
                        in_arena ? std::span<const OutputRegion>(step.regions) : std::span<const OutputRegion>()};
    OpContext ctx(*step.node, graph.opset, step.input_tensors, outputs, env);
    step.kernel(ctx);
    for (size_t k = 0; k < step.outputs.size(); ++k) {
      const int slot = last && k == 0 ? last->outputs[0] : step.outputs[k];
      if (slot < 0) continue;
      if (outputs[k].empty()) {
        throw Error(ErrorCode::kInternal, step.node->describe() + " did not produce output " + std::to_string(k));
      }
      if (options.float16_activations && step.rounds_outputs && !ctx.holds_float16(k)) store_as_float16(step, outputs[k]);
      if (in_arena) settle_in_arena(slot, outputs[k]);
      if (observer) observer(*step.node, step.node->outputs[k], outputs[k]);
      slots[static_cast<size_t>(slot)] = std::move(outputs[k]);
    }
    for (int s : step.release_after) release(s);
  }
};

Executor::Executor(Graph graph, ExecutorOptions options) : impl_(std::make_unique<Impl>()) {
  topological_sort(graph);
  validate(graph);
  impl_->graph = std::move(graph);
  impl_->options = options;
  if (impl_->options.threads < 1) impl_->options.threads = 1;
  impl_->plan();
}

Executor::~Executor() = default;
Executor::Executor(Executor&&) noexcept = default;
Executor& Executor::operator=(Executor&&) noexcept = default;

const Graph& Executor::graph() const { return impl_->graph; }

void Executor::set_observer(TensorObserver observer) { impl_->observer = std::move(observer); }

std::vector<Tensor> Executor::run(const std::vector<Tensor>& inputs) {
  Impl& m = *impl_;
  if (inputs.size() != m.graph.inputs.size()) {
    throw Error(ErrorCode::kInvalidData, "the model has " + std::to_string(m.graph.inputs.size()) + " inputs, got " +
                                             std::to_string(inputs.size()));
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    check_input(m.graph.inputs[i], inputs[i]);
    Tensor& slot = m.slots[static_cast<size_t>(m.input_slots[i])];
    slot = inputs[i];
    if (m.options.float16_activations && slot.dtype() == DataType::kFloat32) {
      slot = slot.clone();  // never modify the caller's buffer
      round_to_float16(slot, m.options.threads);
    }
  }
  std::vector<Tensor> results;
  m.values_in_arena = 0;
  try {
    for (Step& step : m.steps) m.execute(step);
    for (int s : m.output_slots) results.push_back(m.slots[static_cast<size_t>(s)]);
  } catch (...) {
    for (size_t s = 0; s < m.slots.size(); ++s) m.release(static_cast<int>(s));
    throw;
  }
  // Drop everything but constants so the next run starts clean and buffers go back to the pool.
  for (int s : m.input_slots) m.release(s);
  for (int s : m.output_slots) m.release(s);
  return results;
}

const ExecutorOptions& Executor::options() const { return impl_->options; }

void Executor::use_memory_plan(const ExecutionPlan& plan) { impl_->use_memory_plan(plan); }

size_t Executor::arena_bytes() const { return impl_->arena_size; }

size_t Executor::values_in_arena() const { return impl_->values_in_arena; }

const std::vector<double>& Executor::node_seconds() const { return impl_->step_seconds; }

KernelSet parse_kernel_set(const std::string& name, const std::string& flag) {
  if (name == "fast") return KernelSet::kFast;
  if (name == "reference") return KernelSet::kReference;
  throw Error(ErrorCode::kInvalidValue,
              "Value [" + name + "] for parameter [" + flag + "] is invalid. Reason: use fast or reference");
}

bool is_op_supported(const std::string& op_type, const std::string& domain) {
  return OpRegistry::instance().find(op_type, domain) != nullptr;
}

std::vector<std::string> supported_ops() { return OpRegistry::instance().op_types(); }

std::vector<Tensor> evaluate_node(const Node& node, int64_t opset, const std::vector<const Tensor*>& inputs,
                                  int threads) {
  KernelFn kernel = OpRegistry::instance().require(node, opset).kernel;
  std::vector<Tensor> outputs(node.outputs.size());
  OpContext ctx(node, opset, inputs, outputs, KernelEnv{default_allocator(), threads});
  kernel(ctx);
  return outputs;
}

}  // namespace ptqc
