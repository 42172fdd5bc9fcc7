#include "runtime/op_registry.h"

#include "ptqc/error.h"

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

void OpRegistry::add(const std::string& op_type, KernelFn kernel, const std::string& domain, OpTraits traits) {
  entries_[registry_key(op_type, domain)] = OpEntry{kernel, std::move(traits)};
}

const OpEntry* OpRegistry::find(const std::string& op_type, const std::string& domain) const {
  auto it = entries_.find(registry_key(op_type, domain));
  return it == entries_.end() ? nullptr : &it->second;
}

const OpEntry& OpRegistry::require(const Node& node, int64_t opset) const {
  if (const OpEntry* entry = find(node.op_type, node.domain)) return *entry;
  const std::string domain = node.domain.empty() ? "" : " of domain '" + node.domain + "'";
  throw Error(ErrorCode::kUnsupportedOp, node.describe() + ": op type " + node.op_type + domain + " (opset " +
                                             std::to_string(opset) + ") is not supported");
}

bool copies_first_input(const Node& node) {
  const OpEntry* entry = OpRegistry::instance().find(node.op_type, node.domain);
  return entry && entry->traits.copies == ValueCopy::kFirstInput;
}

std::vector<std::string> OpRegistry::op_types() const {
  std::vector<std::string> out;
  for (const auto& [name, entry] : entries_) out.push_back(name);
  return out;
}

}  // namespace ptqc
