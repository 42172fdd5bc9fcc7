#pragma once
/// \file
/// What a kernel sees: its node (attributes), the opset, input tensors, and a
/// way to create its outputs. Kernels compute their output shapes themselves
/// from the actual inputs, so shape-dependent subgraphs need no special case.

#include <string>
#include <vector>

#include "ptqc/error.h"
#include "ptqc/graph.h"
#include "ptqc/tensor.h"

namespace ptqc {

class OpContext {
 public:
  OpContext(const Node& node, int64_t opset, std::vector<const Tensor*> inputs, std::vector<Tensor>& outputs,
            BufferAllocator& allocator, int threads)
      : node_(node), opset_(opset), inputs_(std::move(inputs)), outputs_(outputs), allocator_(allocator),
        threads_(threads) {}

  const Node& node() const { return node_; }
  int64_t opset() const { return opset_; }
  int threads() const { return threads_; }
  BufferAllocator& allocator() { return allocator_; }

  size_t num_inputs() const { return inputs_.size(); }
  /// True when input \p i is given (optional inputs may be absent).
  bool has_input(size_t i) const { return i < inputs_.size() && inputs_[i] != nullptr; }
  /// Input \p i; an absent required input is an E19020 error naming the node.
  const Tensor& input(size_t i) const;
  /// Input \p i or nullptr when absent.
  const Tensor* optional_input(size_t i) const { return has_input(i) ? inputs_[i] : nullptr; }

  size_t num_outputs() const { return outputs_.size(); }
  /// A new output tensor (contents unspecified: the kernel writes every element).
  Tensor& make_output(size_t i, DataType dtype, Shape shape);
  /// Sets output \p i to an existing tensor (a view or an input passed through).
  void set_output(size_t i, Tensor tensor);

  /// Throws E19020 "<op> '<name>': <message>" (malformed node or inputs).
  [[noreturn]] void fail(const std::string& message) const;
  /// Throws E19010 "<op> '<name>' (opset N): <what> is not supported".
  [[noreturn]] void unsupported(const std::string& what) const;

 private:
  const Node& node_;
  int64_t opset_;
  std::vector<const Tensor*> inputs_;
  std::vector<Tensor>& outputs_;
  BufferAllocator& allocator_;
  int threads_;
};

/// A kernel: reads ctx's inputs and attributes, writes every output.
using KernelFn = void (*)(OpContext& ctx);

}  // namespace ptqc
