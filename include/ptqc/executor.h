#pragma once
/// \file
/// The FP32 executor: runs a Graph on the CPU with the kernels of the op registry.
/// Intermediate tensors are released right after their last reader, and buffers are
/// recycled across runs (or placed in one arena by an .om's memory plan), so peak memory
/// stays near weights + live activations and the steady-state loop allocates no buffers.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ptqc/graph.h"
#include "ptqc/tensor.h"

namespace ptqc {

struct ExecutionPlan;

/// Which kernels run a model. Both give the same INT8 results bit for bit; float results
/// agree within rounding (the fast GEMMs sum in another order).
enum class KernelSet {
  kFast,       ///< The fastest path of this CPU: AVX2 / AVX-512 VNNI INT8 kernels, oneDNN's sgemm.
  kReference,  ///< The plain definitions (docs/quantization.md): slow, for checking any machine.
};

/// The KernelSet named \p name; E10001 naming \p flag otherwise.
KernelSet parse_kernel_set(const std::string& name, const std::string& flag);

struct ExecutorOptions {
  int threads = 1;  ///< Worker threads for the kernels (results do not depend on it).
  /// Store float activations as FP16, as the NPU does under --precision_mode=force_fp16:
  /// every float32 tensor a node produces (and every float32 graph input) is rounded to
  /// the nearest FP16 value.
  bool float16_activations = false;
  /// Time every node (Executor::node_seconds); off by default, the clock reads cost a little.
  bool profile = false;
  KernelSet kernels = KernelSet::kFast;
};

/// Called after each node with each of its outputs; the calibration runner
/// collects ranges through it. The tensor is only valid during the call.
using TensorObserver = std::function<void(const Node& node, const std::string& value, const Tensor& tensor)>;

class Executor {
 public:
  /// Takes the graph (sorted and validated here). Throws E19010 naming the
  /// first node whose op has no kernel, E19020 for a malformed graph.
  Executor(Graph graph, ExecutorOptions options = {});
  ~Executor();
  Executor(Executor&&) noexcept;
  Executor& operator=(Executor&&) noexcept;

  const Graph& graph() const;
  const ExecutorOptions& options() const;
  void set_observer(TensorObserver observer);

  /// Runs once. \p inputs follow graph().inputs order; each must have the
  /// declared dtype and a shape that matches every static dim (E19030 otherwise).
  /// Returns the outputs in graph().outputs order.
  std::vector<Tensor> run(const std::vector<Tensor>& inputs);

  /// Lays out the activations of later runs in one arena by \p plan (an .om's TASK_INFO, from
  /// ptqc::plan_execution of this graph; \pre values whose lifetimes meet do not share bytes, as
  /// read_om checks): each planned value that is not a graph output is written at its offset
  /// instead of a pooled buffer. A value larger than its placement at run time, a view of an
  /// arena value (Reshape, Split, ...) that has no placement of its own, and graph outputs get
  /// buffers of their own, so results never change. Off while an observer is installed. A plan
  /// for another node order or other lifetimes is ignored, with a warning.
  void use_memory_plan(const ExecutionPlan& plan);
  /// The arena's bytes (0 without a memory plan).
  size_t arena_bytes() const;
  /// How many values the last run stored in the arena.
  size_t values_in_arena() const;

  /// With options().profile: wall seconds spent in each node of graph().nodes (same order,
  /// kernel plus FP16 rounding of its outputs), summed over every run so far. Zeros otherwise.
  const std::vector<double>& node_seconds() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// True when ptqc has a kernel for \p op_type of \p domain ("" = the default ONNX domain, "ptqc").
bool is_op_supported(const std::string& op_type, const std::string& domain = "");
/// All op types with a kernel, sorted.
std::vector<std::string> supported_ops();

/// Runs a single node on the given inputs (nullptr = absent optional input) and
/// returns its outputs. Constant folding and kernel unit tests use it.
std::vector<Tensor> evaluate_node(const Node& node, int64_t opset, const std::vector<const Tensor*>& inputs,
                                  int threads = 1);

}  // namespace ptqc
