#include "runtime/op_context.h"

namespace ptqc {

OpContext::OpContext(const Node& node, int64_t opset, std::span<const Tensor* const> inputs, std::vector<Tensor>& outputs,
                     const KernelEnv& env, OutputMode mode)
    : node_(node), opset_(opset), inputs_(inputs), outputs_(outputs), env_(env), mode_(mode) {
  for (size_t k = 0; k < outputs_.size(); ++k) undeclared_ += k < node_.outputs.size() && !node_.outputs[k].empty();
}

const Tensor& OpContext::input(size_t i) const {
  if (!has_input(i)) fail("required input " + std::to_string(i) + " is missing");
  return *inputs_[i];
}

Tensor& OpContext::make_output(size_t i, DataType dtype, Shape shape) {
  if (i >= outputs_.size()) fail("has no output " + std::to_string(i));
  for (int64_t d : shape) {
    if (d < 0) fail("computed a negative output dimension (" + shape_string(shape) + ")");
  }
  if (!tensor_bytes_within_limit(shape, dtype)) {
    const std::string value = i < node_.outputs.size() ? " '" + node_.outputs[i] + "'" : "";
    checked_tensor_bytes(shape, dtype, node_.describe() + ": output " + std::to_string(i) + value);
  }
  const bool was_empty = outputs_[i].empty();
  outputs_[i] = mode_ == OutputMode::kAbstract ? Tensor::abstract(dtype, std::move(shape))
                                               : allocated_output(i, dtype, std::move(shape));
  declared(i, was_empty);
  return outputs_[i];
}

Tensor OpContext::allocated_output(size_t i, DataType dtype, Shape shape) const {
  if (i < env_.output_regions.size()) {
    const OutputRegion& region = env_.output_regions[i];
    if (region.storage && checked_tensor_bytes(shape, dtype, "output") <= region.bytes) {
      return Tensor(dtype, std::move(shape), region.storage);
    }
  }
  return Tensor(dtype, std::move(shape), env_.allocator);
}

void OpContext::set_output(size_t i, Tensor tensor) {
  if (i >= outputs_.size()) fail("has no output " + std::to_string(i));
  const bool was_empty = outputs_[i].empty();
  outputs_[i] = std::move(tensor);
  declared(i, was_empty);
}

void OpContext::declared(size_t i, bool was_empty) {
  if (!was_empty || i >= node_.outputs.size() || node_.outputs[i].empty() || undeclared_ == 0) return;
  if (--undeclared_ == 0 && mode_ == OutputMode::kAbstract) throw AbstractTensorAccess();
}

void OpContext::fail(const std::string& message) const {
  throw Error(ErrorCode::kInvalidModel, node_.describe() + ": " + message);
}

void OpContext::unsupported(const std::string& what) const {
  throw Error(ErrorCode::kUnsupportedOp,
              node_.describe() + " (opset " + std::to_string(opset_) + "): " + what + " is not supported");
}

}  // namespace ptqc
