#include "ptqc/shape_inference.h"

#include <spdlog/spdlog.h>

#include <new>
#include <stdexcept>
#include <unordered_map>

#include "runtime/op_registry.h"

namespace ptqc {

namespace {

/// Outputs of at most this many elements, computed from known values, are computed for real
/// so that later shapes can be read from them (shape arithmetic is tiny; activations are not).
constexpr int64_t kConcreteElements = 4096;

/// "x: float32 1x3x8x8, w: float32 4x3x3x3": a node's inputs for messages.
std::string describe_inputs(const Node& node, const std::vector<const Tensor*>& inputs) {
  std::string text;
  for (size_t k = 0; k < inputs.size(); ++k) {
    if (!inputs[k]) continue;
    text += (text.empty() ? "" : ", ") + node.inputs[k] + ": " + dtype_name(inputs[k]->dtype()) + " " +
            shape_string(inputs[k]->shape());
  }
  return text.empty() ? "none" : text;
}

/// \p e with the node's context appended: domain, opset and the inputs it was given.
Error in_context(const Error& e, const Node& node, int64_t opset, const std::vector<const Tensor*>& inputs) {
  const std::string domain = node.domain.empty() ? "ai.onnx" : node.domain;
  return Error(e.code(), e.message() + " [node " + node.describe() + ", domain " + domain + ", opset " +
                             std::to_string(opset) + "; inputs: " + describe_inputs(node, inputs) + "]");
}

enum class RunResult { kDone, kDeferred };

/// Runs \p kernel in \p mode. kDeferred when it needed the elements of an abstract input:
/// in abstract mode only if that happened before every wanted output was declared (after
/// that the stop is on purpose); with allocated outputs, at any point.
RunResult run_kernel(KernelFn kernel, const Node& node, int64_t opset, const std::vector<const Tensor*>& inputs,
                     std::vector<Tensor>& outputs, OutputMode mode) {
  OpContext ctx(node, opset, inputs, outputs, KernelEnv{default_allocator()}, mode);
  try {
    kernel(ctx);
  } catch (const AbstractTensorAccess&) {
    if (mode == OutputMode::kAllocate) return RunResult::kDeferred;
  } catch (const Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw Error(ErrorCode::kInvalidModel, node.describe() + ": its attributes or inputs ask for more memory than there is");
  } catch (const std::length_error&) {
    throw Error(ErrorCode::kInvalidModel, node.describe() + ": its attributes or inputs ask for an impossibly large buffer");
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kInternal, node.describe() + ": " + e.what());
  }
  for (size_t k = 0; k < node.outputs.size() && k < outputs.size(); ++k) {
    if (!node.outputs[k].empty() && outputs[k].empty()) return RunResult::kDeferred;
  }
  return RunResult::kDone;
}

/// Whether to compute \p node's outputs for real: they are small and either every input has
/// values or the op reads only its input's shape (Shape, Size), as exporters' shape arithmetic does.
bool worth_computing(const Node& node, const std::vector<const Tensor*>& inputs, const std::vector<Tensor>& outputs) {
  int64_t elements = 0;
  for (const Tensor& t : outputs) elements += t.empty() ? 0 : t.numel();
  if (elements > kConcreteElements) return false;
  if (node.domain.empty() && (node.op_type == "Shape" || node.op_type == "Size")) return true;
  for (const Tensor* t : inputs) {
    if (t && !t->has_values()) return false;
  }
  return true;
}

/// A warning when a graph output's declared type or static dims differ from what its producer computes.
void compare_with_declared(const ValueInfo& declared, const Tensor& computed) {
  bool same = declared.dtype == DataType::kUndefined || declared.dtype == computed.dtype();
  if (declared.has_shape) {
    same = same && declared.dims.size() == computed.shape().size();
    for (size_t d = 0; same && d < declared.dims.size(); ++d) {
      same = declared.dims[d] < 0 || declared.dims[d] == computed.shape()[d];
    }
  }
  if (!same) {
    spdlog::warn("graph output '{}' is declared {} {} but computes {} {}; the computed form is what runs", declared.name,
                 dtype_name(declared.dtype), declared.has_shape ? shape_string(declared.dims) : "(no shape)",
                 dtype_name(computed.dtype()), shape_string(computed.shape()));
  }
}

}  // namespace

ShapeCheck infer_graph_shapes(const Graph& graph, std::map<std::string, ValueInfo>* values) {
  ShapeCheck check;
  // Known values: constants (with elements), graph inputs with static shapes (abstract), and
  // node outputs as they are inferred. A value missing here is deferred to run time.
  // Keys view the graph's names, which do not change while it is checked.
  std::unordered_map<std::string_view, Tensor> known;
  known.reserve(graph.nodes.size() + graph.inputs.size());
  for (const ValueInfo& in : graph.inputs) {
    if (graph.is_constant(in.name)) continue;
    if (in.is_static() && in.dtype != DataType::kUndefined) {
      try {
        checked_tensor_bytes(in.dims, in.dtype, "graph input '" + in.name + "'");
      } catch (const Error& e) {
        check.failure = e;
        return check;
      }
      known.emplace(in.name, Tensor::abstract(in.dtype, in.dims));
    } else if (check.first_deferred.empty()) {
      check.first_deferred = "graph input '" + in.name + "' has " + (in.has_shape ? "dynamic dims" : "no shape");
    }
  }
  auto lookup = [&](const std::string& name) -> const Tensor* {
    if (const Tensor* c = graph.constant(name)) return c;
    const auto it = known.find(name);
    return it == known.end() ? nullptr : &it->second;
  };
  const auto last = last_uses(graph);
  const OpRegistry& registry = OpRegistry::instance();

  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& node = graph.nodes[i];
    std::vector<const Tensor*> inputs;
    bool deferred = false;
    for (const auto& name : node.inputs) {
      const Tensor* t = name.empty() ? nullptr : lookup(name);
      deferred = deferred || (!name.empty() && !t);
      inputs.push_back(t);
    }
    std::vector<Tensor> outputs(node.outputs.size());
    try {
      const KernelFn kernel = registry.require(node, graph.opset).kernel;
      if (!deferred) deferred = run_kernel(kernel, node, graph.opset, inputs, outputs, OutputMode::kAbstract) == RunResult::kDeferred;
      if (!deferred && worth_computing(node, inputs, outputs)) {
        std::vector<Tensor> concrete(node.outputs.size());
        if (run_kernel(kernel, node, graph.opset, inputs, concrete, OutputMode::kAllocate) == RunResult::kDone) {
          outputs = std::move(concrete);
        }
      }
    } catch (const Error& e) {
      check.failure = in_context(e, node, graph.opset, inputs);
      check.failed_node = node.name;
      return check;
    }
    if (deferred) {
      ++check.deferred;
      if (check.first_deferred.empty()) check.first_deferred = node.describe();
    } else {
      ++check.inferred;
      for (size_t k = 0; k < node.outputs.size(); ++k) {
        if (node.outputs[k].empty()) continue;
        if (values) {
          values->insert_or_assign(node.outputs[k], ValueInfo{node.outputs[k], outputs[k].dtype(), outputs[k].shape(), true,
                                                              DataType::kUndefined});
        }
        known.insert_or_assign(node.outputs[k], std::move(outputs[k]));
      }
    }
    for (const auto& name : node.inputs) {
      const auto it = last.find(name);
      if (it != last.end() && it->second == i) known.erase(name);
    }
  }
  for (const ValueInfo& out : graph.outputs) {
    ValueInfo inferred{out.name, DataType::kUndefined, {}, false, out.declared_dtype};
    if (const Tensor* t = lookup(out.name)) {
      compare_with_declared(out, *t);
      inferred.dtype = t->dtype();
      inferred.dims = t->shape();
      inferred.has_shape = true;
    }
    check.outputs.push_back(std::move(inferred));
  }
  return check;
}

namespace {

/// Throws \p check's failure; logs what was left to run time.
void report(const ShapeCheck& check, const Graph& graph) {
  if (check.failure) throw *check.failure;
  if (check.deferred > 0) {
    spdlog::info("shape check: {} of {} nodes checked at compile time; {} depend on values known only at run time "
                 "(first: {})", check.inferred, graph.nodes.size(), check.deferred, check.first_deferred);
  } else {
    spdlog::debug("shape check: all {} nodes checked", graph.nodes.size());
  }
}

}  // namespace

void check_graph_shapes(const Graph& graph) { report(infer_graph_shapes(graph), graph); }

void annotate_graph_shapes(Graph& graph) {
  std::map<std::string, ValueInfo> values;
  const ShapeCheck check = infer_graph_shapes(graph, &values);
  report(check, graph);
  for (size_t i = 0; i < graph.outputs.size(); ++i) {
    ValueInfo& out = graph.outputs[i];
    const ValueInfo& computed = check.outputs[i];
    if (!computed.has_shape) continue;
    out.dtype = computed.dtype;
    out.dims = computed.dims;
    out.has_shape = true;
    values.erase(out.name);
  }
  for (auto& [name, info] : values) {
    if (const auto declared = graph.value_info.find(name); declared != graph.value_info.end()) {
      info.declared_dtype = declared->second.declared_dtype;
    }
    graph.value_info.insert_or_assign(name, std::move(info));
  }
}

}  // namespace ptqc
