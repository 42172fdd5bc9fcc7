#include "runtime/kernels/int8/int8_util.h"

#include <cmath>

namespace ptqc {

Int8Run int8_run(OpContext& ctx) {
  const Int8Isa isa = ctx.kernels() == KernelSet::kReference ? Int8Isa::kScalar : detected_int8_isa();
  return Int8Run{isa, ctx.threads(), ctx.allocator()};
}

void expect_packed_for(Int8Isa packed, Int8Isa run) {
  if (packed != run) {
    throw Error(ErrorCode::kInternal, std::string("weights packed for ") + int8_isa_name(packed) + " used on " +
                                          int8_isa_name(run));
  }
}

int32_t offset_attribute(const OpContext& ctx, const std::string& key) {
  const int64_t offset = ctx.node().attr_int(key, 0);
  if (offset < -128 || offset > 127) ctx.fail(key + " must be in [-128, 127], got " + std::to_string(offset));
  return static_cast<int32_t>(offset);
}

QuantizeParams quantize_attributes(const OpContext& ctx) {
  if (!ctx.node().has_attr("scale")) ctx.fail("scale is required");
  const float scale = ctx.node().attr_float("scale", 0.0f);
  if (!std::isfinite(scale) || scale <= 0.0f) ctx.fail("scale must be finite and > 0, got " + std::to_string(scale));
  return QuantizeParams{scale, offset_attribute(ctx, "offset")};
}

void expect_dtype(const OpContext& ctx, const Tensor& t, DataType dtype, const std::string& what) {
  if (t.dtype() != dtype) ctx.fail(what + " must be " + dtype_name(dtype) + ", got " + dtype_name(t.dtype()));
}

const int32_t* bias_input(const OpContext& ctx, size_t i, int64_t channels) {
  const Tensor* bias = ctx.optional_input(i);
  if (!bias) return nullptr;
  expect_dtype(ctx, *bias, DataType::kInt32, "bias");
  if (bias->rank() != 1 || bias->dim(0) != channels) {
    ctx.fail("bias must have shape " + std::to_string(channels) + ", got " + shape_string(bias->shape()));
  }
  return bias->data<int32_t>();
}

}  // namespace ptqc
