#pragma once
/// \file
/// The op registry: one table from ONNX op type (default domain) to its FP32
/// reference kernel. Each kernel file contributes its ops through one
/// register_*_ops function, all listed in op_registry.cpp.

#include <map>
#include <string>
#include <vector>

#include "runtime/op_context.h"

namespace ptqc {

class OpRegistry {
 public:
  /// The table with every kernel ptqc has.
  static const OpRegistry& instance();

  void add(const std::string& op_type, KernelFn kernel);
  /// The kernel for \p op_type, or nullptr.
  KernelFn find(const std::string& op_type) const;
  std::vector<std::string> op_types() const;

 private:
  std::map<std::string, KernelFn> kernels_;
};

// One function per kernel file (src/runtime/kernels/<group>.cpp).
void register_elementwise_ops(OpRegistry& registry);
void register_activation_ops(OpRegistry& registry);
void register_conv_ops(OpRegistry& registry);
void register_pool_ops(OpRegistry& registry);
void register_gemm_ops(OpRegistry& registry);
void register_normalization_ops(OpRegistry& registry);
void register_reduce_ops(OpRegistry& registry);
void register_shape_ops(OpRegistry& registry);
void register_index_ops(OpRegistry& registry);
void register_resize_ops(OpRegistry& registry);
void register_misc_ops(OpRegistry& registry);

}  // namespace ptqc
