#include "runtime/kernels/int8/output_stage.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "runtime/float16_rounding.h"
#include "runtime/kernels/int8/int8_util.h"
#include "runtime/kernels/kernel_util.h"

namespace ptqc {

ChannelScales channel_scales(const OpContext& ctx, const std::string& key, const Shape& shape) {
  ChannelScales s;
  s.values = ctx.node().attr_floats(key);
  if (s.values.empty()) ctx.fail(key + " is required");
  for (float v : s.values) {
    if (!std::isfinite(v)) ctx.fail(key + " must be finite, got " + std::to_string(v));
  }
  s.channels = static_cast<int64_t>(s.values.size());
  if (s.channels == 1) {
    s.inner = shape_numel(shape);
    return s;
  }
  const int64_t rank = static_cast<int64_t>(shape.size());
  const int64_t axis = normalize_axis(ctx, ctx.node().attr_int("axis", 1), rank);
  if (axis >= rank || shape[static_cast<size_t>(axis)] != s.channels) {
    ctx.fail(key + " has " + std::to_string(s.channels) + " values but the input " + shape_string(shape) +
             " has no such dim at axis " + std::to_string(axis));
  }
  for (int64_t d = axis + 1; d < rank; ++d) s.inner *= shape[static_cast<size_t>(d)];
  return s;
}

void OutputStage::apply(Int8Isa isa, const int32_t* acc, int64_t first, int64_t count, void* out) const {
  for_each_scale_run(scales, first, first + count, [&](int64_t i, int64_t n, ScaleRun run) {
    const int32_t* a = acc + (i - first);
    if (kind == Kind::kRequantize) return requantize_span(isa, a, n, run, offset, lower, static_cast<int8_t*>(out) + i);
    if (!quantize) return dequantize_floats(isa, a, n, run, static_cast<float*>(out) + i);
    // Float values only in a small buffer, chunk by chunk.
    constexpr int64_t kChunk = 256;
    float chunk[kChunk];
    for (int64_t c = 0; c < n; c += kChunk) {
      const int64_t m = std::min(kChunk, n - c);
      const ScaleRun chunk_run{run.scales + c * run.step, run.step};
      dequantize_floats(isa, a + c, m, chunk_run, chunk);
      quantize_span(isa, chunk, m, quant_scale, quant_offset, static_cast<int8_t*>(out) + i + c);
    }
  });
}

void OutputStage::dequantize_floats(Int8Isa isa, const int32_t* acc, int64_t n, ScaleRun run, float* y) const {
  dequantize_span(isa, acc, n, offset, run, y);
  if (float16) round_span_to_float16(y, n);
  if (!activation) return;
  activation(y, n, y);
  if (float16) round_span_to_float16(y, n);
}

OutputStage parse_output_stage(const OpContext& ctx, const Shape& shape) {
  OutputStage stage;
  stage.offset = offset_attribute(ctx, "offset");
  if (ctx.node().op_type == "AscendDequant") {
    stage.scales = channel_scales(ctx, "deq_scale", shape);
    return stage;
  }
  stage.kind = OutputStage::Kind::kRequantize;
  stage.scales = channel_scales(ctx, "req_scale", shape);
  const int64_t relu = ctx.node().attr_int("relu", 0);
  if (relu != 0 && relu != 1) ctx.fail("relu must be 0 or 1, got " + std::to_string(relu));
  // A fused ReLU clips at the code of the float value 0.
  stage.lower = relu ? std::max(-128, stage.offset) : -128;
  return stage;
}

void ProductOutput::store(Int8Isa isa, const int32_t* acc, int64_t first, int64_t count) const {
  if (stage) {
    stage->apply(isa, acc, first, count, data);
  } else {
    std::memcpy(static_cast<int32_t*>(data) + first, acc, static_cast<size_t>(count) * sizeof(int32_t));
  }
}

ProductOutput make_product_output(OpContext& ctx, const Shape& shape, OutputStage& stage) {
  const AbsorbedNodes& absorbed = ctx.absorbed();
  if (!absorbed.convert) return ProductOutput{ctx.make_output(0, DataType::kInt32, shape).raw()};
  std::vector<Tensor> unused;
  const auto context_of = [&](const Node& node) { return OpContext(node, ctx.opset(), {}, unused, KernelEnv{ctx.allocator()}); };
  stage = parse_output_stage(context_of(*absorbed.convert), shape);
  stage.float16 = ctx.float16_outputs();
  if (absorbed.activation) {
    stage.activation = float_activation_span(*absorbed.activation);
    if (!stage.activation || stage.kind != OutputStage::Kind::kDequantize) {
      throw Error(ErrorCode::kInternal, absorbed.activation->describe() + " cannot follow " +
                                            absorbed.convert->describe() + " in an output stage");
    }
  }
  if (absorbed.quantize) {
    const OpContext quant_ctx = context_of(*absorbed.quantize);
    const QuantizeParams q = quantize_attributes(quant_ctx);
    stage.quantize = true;
    stage.quant_scale = q.scale;
    stage.quant_offset = q.offset;
  }
  void* data = ctx.make_output(0, stage.dtype(), shape).raw();
  if (stage.dtype() == DataType::kFloat32 && stage.float16) ctx.stored_float16(0);
  return ProductOutput{data, &stage};
}

}  // namespace ptqc
