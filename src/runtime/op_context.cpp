#include "runtime/op_context.h"

namespace ptqc {

const Tensor& OpContext::input(size_t i) const {
  if (!has_input(i)) fail("required input " + std::to_string(i) + " is missing");
  return *inputs_[i];
}

Tensor& OpContext::make_output(size_t i, DataType dtype, Shape shape) {
  if (i >= outputs_.size()) fail("has no output " + std::to_string(i));
  for (int64_t d : shape) {
    if (d < 0) fail("computed a negative output dimension (" + shape_string(shape) + ")");
  }
  outputs_[i] = Tensor(dtype, std::move(shape), allocator_);
  return outputs_[i];
}

void OpContext::set_output(size_t i, Tensor tensor) {
  if (i >= outputs_.size()) fail("has no output " + std::to_string(i));
  outputs_[i] = std::move(tensor);
}

void OpContext::fail(const std::string& message) const {
  throw Error(ErrorCode::kInvalidModel, node_.describe() + ": " + message);
}

void OpContext::unsupported(const std::string& what) const {
  throw Error(ErrorCode::kUnsupportedOp,
              node_.describe() + " (opset " + std::to_string(opset_) + "): " + what + " is not supported");
}

}  // namespace ptqc
