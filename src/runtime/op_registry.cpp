#include "runtime/op_registry.h"

namespace ptqc {

const OpRegistry& OpRegistry::instance() {
  static const OpRegistry registry = [] {
    OpRegistry r;
    register_elementwise_ops(r);
    register_activation_ops(r);
    register_conv_ops(r);
    register_pool_ops(r);
    register_gemm_ops(r);
    register_normalization_ops(r);
    register_reduce_ops(r);
    register_shape_ops(r);
    register_index_ops(r);
    register_resize_ops(r);
    register_misc_ops(r);
    return r;
  }();
  return registry;
}

void OpRegistry::add(const std::string& op_type, KernelFn kernel) { kernels_[op_type] = kernel; }

KernelFn OpRegistry::find(const std::string& op_type) const {
  auto it = kernels_.find(op_type);
  return it == kernels_.end() ? nullptr : it->second;
}

std::vector<std::string> OpRegistry::op_types() const {
  std::vector<std::string> out;
  for (const auto& [name, fn] : kernels_) out.push_back(name);
  return out;
}

}  // namespace ptqc
