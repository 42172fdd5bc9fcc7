/// \file
/// AscendQuant, AscendDequant and AscendRequant: element-wise conversions between
/// float32, int8 and int32 with the formulas of quantize.h. Dequant and Requant
/// take one scale, or one per entry of the channel axis (output_stage.h).

#include <algorithm>
#include <cmath>

#include "runtime/kernels/int8/int8_kernels.h"
#include "runtime/kernels/int8/int8_util.h"
#include "runtime/kernels/int8/output_stage.h"
#include "runtime/kernels/int8/quantize.h"
#include "runtime/kernels/kernel_util.h"

namespace ptqc {

namespace {

/// Fewest elements worth a thread.
constexpr int64_t kElementsPerThread = 1 << 15;

/// Threads for an element-wise pass over \p n elements.
int threads_for(const OpContext& ctx, int64_t n) { return n >= 2 * kElementsPerThread ? ctx.threads() : 1; }

}  // namespace

/// AscendQuant: float32 -> int8 with `scale` (1 / scale_d) and `offset`.
void ascend_quant(OpContext& ctx) {
  const Tensor& x = ctx.input(0);
  expect_dtype(ctx, x, DataType::kFloat32, "input");
  const QuantizeParams params = quantize_attributes(ctx);
  int8_t* q = ctx.make_output(0, DataType::kInt8, x.shape()).data<int8_t>();
  const float* xv = x.data<float>();
  const Int8Isa isa = int8_run(ctx).isa;
  parallel_for(threads_for(ctx, x.numel()), x.numel(), [&](int64_t begin, int64_t end) {
    quantize_span(isa, xv + begin, end - begin, params.scale, params.offset, q + begin);
  });
}

/// AscendDequant: int32 or int8 -> float32 with `deq_scale` (per tensor or per `axis` channel) and `offset`.
void ascend_dequant(OpContext& ctx) {
  const Tensor& x = ctx.input(0);
  if (x.dtype() != DataType::kInt32 && x.dtype() != DataType::kInt8) {
    ctx.fail("input must be int32 or int8, got " + dtype_name(x.dtype()));
  }
  const OutputStage stage = parse_output_stage(ctx, x.shape());
  float* y = ctx.make_output(0, DataType::kFloat32, x.shape()).data<float>();
  const Int8Isa isa = int8_run(ctx).isa;
  parallel_for(threads_for(ctx, x.numel()), x.numel(), [&](int64_t begin, int64_t end) {
    if (x.dtype() == DataType::kInt32) return stage.apply(isa, x.data<int32_t>() + begin, begin, end - begin, y);
    for_each_scale_run(stage.scales, begin, end, [&](int64_t i, int64_t count, ScaleRun scale) {
      dequantize_span(isa, x.data<int8_t>() + i, count, stage.offset, scale, y + i);
    });
  });
}

/// AscendRequant: int32 -> int8 with `req_scale` (per tensor or per `axis` channel), `offset` and `relu`.
void ascend_requant(OpContext& ctx) {
  const Tensor& acc = ctx.input(0);
  expect_dtype(ctx, acc, DataType::kInt32, "input");
  const OutputStage stage = parse_output_stage(ctx, acc.shape());
  int8_t* q = ctx.make_output(0, DataType::kInt8, acc.shape()).data<int8_t>();
  const Int8Isa isa = int8_run(ctx).isa;
  parallel_for(threads_for(ctx, acc.numel()), acc.numel(), [&](int64_t begin, int64_t end) {
    stage.apply(isa, acc.data<int32_t>() + begin, begin, end - begin, q);
  });
}

}  // namespace ptqc
