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
    register_int8_ops(r);
    return r;
  }();
  return registry;
}

namespace {

/// The table key: the bare op type for the default ONNX domain, "<domain>.<op>" otherwise.
std::string registry_key(const std::string& op_type, const std::string& domain) {
  return domain.empty() || domain == "ai.onnx" ? op_type : domain + "." + op_type;
}

}  // namespace

void OpRegistry::add(const std::string& op_type, KernelFn kernel, const std::string& domain) {
  kernels_[registry_key(op_type, domain)] = kernel;
}

KernelFn OpRegistry::find(const std::string& op_type, const std::string& domain) const {
  auto it = kernels_.find(registry_key(op_type, domain));
  return it == kernels_.end() ? nullptr : it->second;
}

std::vector<std::string> OpRegistry::op_types() const {
  std::vector<std::string> out;
  for (const auto& [name, fn] : kernels_) out.push_back(name);
  return out;
}

}  // namespace ptqc
