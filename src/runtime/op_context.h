#pragma once
/// \file
/// What a kernel sees: its node (attributes), the opset, input tensors, and a
/// way to create its outputs. Kernels compute their output shapes themselves
/// from the actual inputs, so shape-dependent subgraphs need no special case,
/// and shape inference (runtime/shape_inference.cpp) runs the same kernels on
/// abstract tensors: a kernel's code up to its last make_output is its shape function.

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ptqc/error.h"
#include "ptqc/executor.h"
#include "ptqc/graph.h"
#include "ptqc/tensor.h"

namespace ptqc {

/// How make_output creates outputs.
enum class OutputMode {
  kAllocate,  ///< Tensors with elements, from the allocator: running the model.
  /// Abstract tensors (Tensor::abstract), and once every output the node names has been
  /// declared the kernel is stopped with AbstractTensorAccess: shape inference.
  kAbstract,
};

/// What a kernel derives once from its node's attributes and constant inputs (packed
/// weights and their sums) and reuses on every later run: see OpContext::prepared.
class PreparedState {
 public:
  virtual ~PreparedState() = default;
};

/// The nodes an INT8 product's kernel runs as its output stage (OpTraits::output_stage,
/// runtime/kernels/int8/output_stage.h), each the only reader of the one before; the kernel's
/// output 0 is then the last one's output. All nullptr: none.
struct AbsorbedNodes {
  const Node* convert = nullptr;     ///< AscendDequant or AscendRequant of the accumulators
  const Node* activation = nullptr;  ///< a float activation of the Dequant's output (activation_span.h)
  const Node* quantize = nullptr;    ///< the AscendQuant of the activation's output
};

/// Where make_output puts output i when it fits: a region of the executor's activation arena
/// (Executor::use_memory_plan). An empty storage, or a tensor of more bytes, uses the allocator.
struct OutputRegion {
  std::shared_ptr<std::byte> storage;
  size_t bytes = 0;
};

/// How a kernel runs: where its buffers come from, its threads (results never depend on
/// them), which kernel set, the executor's slot for the node's prepared state (nullptr:
/// state is built for the one call), and the nodes it absorbs.
struct KernelEnv {
  BufferAllocator& allocator;
  int threads = 1;
  KernelSet kernels = KernelSet::kFast;
  std::unique_ptr<PreparedState>* prepared = nullptr;
  AbsorbedNodes absorbed{};
  /// Float32 outputs are to hold FP16 values (ExecutorOptions::float16_activations).
  bool float16_outputs = false;
  /// Per output index, where make_output places it (none: every output from the allocator).
  std::span<const OutputRegion> output_regions = {};
};

class OpContext {
 public:
  /// \p inputs (nullptr = absent) must outlive the context.
  OpContext(const Node& node, int64_t opset, std::span<const Tensor* const> inputs, std::vector<Tensor>& outputs,
            const KernelEnv& env, OutputMode mode = OutputMode::kAllocate);

  const Node& node() const { return node_; }
  int64_t opset() const { return opset_; }
  int threads() const { return env_.threads; }
  KernelSet kernels() const { return env_.kernels; }
  BufferAllocator& allocator() { return env_.allocator; }
  /// The readers of output 0 whose work this kernel does as well.
  const AbsorbedNodes& absorbed() const { return env_.absorbed; }
  /// True when float32 outputs are stored as FP16 values (the executor rounds them after the
  /// kernel, unless the kernel did it as it stored them and said so with stored_float16).
  bool float16_outputs() const { return env_.float16_outputs; }
  /// Records that output \p i already holds FP16 values.
  void stored_float16(size_t i) {
    if (float16_stored_.size() <= i) float16_stored_.resize(i + 1);
    float16_stored_[i] = true;
  }
  /// True after stored_float16(\p i).
  bool holds_float16(size_t i) const { return i < float16_stored_.size() && float16_stored_[i]; }

  /// The state make() returns (a State derived from PreparedState), built on the first call.
  /// The executor keeps it for the node's later runs when every input of the op's
  /// OpTraits::prepared_inputs is a constant, so make() may read only those inputs and the
  /// node's attributes; otherwise it lives for this call.
  template <class State, class Make>
  const State& prepared(Make&& make) {
    std::unique_ptr<PreparedState>& slot = env_.prepared ? *env_.prepared : local_state_;
    if (!slot) slot = std::make_unique<State>(make());
    return static_cast<const State&>(*slot);
  }

  size_t num_inputs() const { return inputs_.size(); }
  /// True when input \p i is given (optional inputs may be absent).
  bool has_input(size_t i) const { return i < inputs_.size() && inputs_[i] != nullptr; }
  /// Input \p i; an absent required input is an E19020 error naming the node.
  const Tensor& input(size_t i) const;
  /// Input \p i or nullptr when absent.
  const Tensor* optional_input(size_t i) const { return has_input(i) ? inputs_[i] : nullptr; }

  size_t num_outputs() const { return outputs_.size(); }
  /// A new output tensor (contents unspecified: the kernel writes every element), in its
  /// KernelEnv::output_regions entry when it has one and the tensor fits. The shape
  /// is checked first: E19020 naming the node, the output and its dims for a negative dim, an
  /// element count that overflows, or more bytes than max_tensor_bytes().
  Tensor& make_output(size_t i, DataType dtype, Shape shape);
  /// Sets output \p i to an existing tensor (a view or an input passed through).
  void set_output(size_t i, Tensor tensor);
  /// Output \p i as made by make_output or set_output. \pre i < num_outputs().
  Tensor& output(size_t i) { return outputs_[i]; }

  /// Throws E19020 "<op> '<name>': <message>" (malformed node or inputs).
  [[noreturn]] void fail(const std::string& message) const;
  /// Throws E19010 "<op> '<name>' (opset N): <what> is not supported".
  [[noreturn]] void unsupported(const std::string& what) const;

 private:
  /// Output \p i's buffer: its output region when the tensor fits, else from the allocator.
  Tensor allocated_output(size_t i, DataType dtype, Shape shape) const;
  /// Counts a newly set output \p i; in abstract mode, stops the kernel when all are set.
  void declared(size_t i, bool was_empty);

  const Node& node_;
  int64_t opset_;
  std::span<const Tensor* const> inputs_;
  std::vector<Tensor>& outputs_;
  KernelEnv env_;
  OutputMode mode_;
  std::unique_ptr<PreparedState> local_state_;
  std::vector<bool> float16_stored_;
  size_t undeclared_ = 0;  ///< outputs the node names that the kernel has not set yet
};

/// A kernel: reads ctx's inputs and attributes, writes every output.
using KernelFn = void (*)(OpContext& ctx);

}  // namespace ptqc
