/// \file
/// AscendQuant, AscendDequant and AscendRequant: element-wise conversions between
/// float32, int8 and int32 with the formulas of quantize.h. Dequant and Requant
/// take one scale, or one per entry of the channel axis.

#include <algorithm>
#include <cmath>

#include "runtime/kernels/int8/int8_kernels.h"
#include "runtime/kernels/int8/int8_util.h"
#include "runtime/kernels/int8/quantize.h"
#include "runtime/kernels/kernel_util.h"

namespace ptqc {

namespace {

/// Fewest elements worth a thread.
constexpr int64_t kElementsPerThread = 1 << 15;

/// Threads for an element-wise pass over \p n elements.
int threads_for(const OpContext& ctx, int64_t n) { return n >= 2 * kElementsPerThread ? ctx.threads() : 1; }

/// The scales of a Dequant/Requant node: element i of the input uses values[(i / inner) % channels].
struct ChannelScales {
  std::vector<float> values;
  int64_t channels = 1;
  int64_t inner = 1;
};

/// Reads the float list \p key: one finite value (per tensor), or one per entry of the input's
/// dim `axis` (default 1).
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

/// Calls fn(i, count, run) over [begin, end) cut into spans whose scales form one ScaleRun:
/// a whole channel block (step 0), or, when channels are innermost, a row of channels (step 1).
template <class Fn>
void for_each_scale_run(const ChannelScales& s, int64_t begin, int64_t end, Fn&& fn) {
  for (int64_t i = begin; i < end;) {
    const int64_t channel = i / s.inner % s.channels;
    const bool innermost = s.inner == 1;
    const int64_t run_end = std::min(end, innermost ? i - channel + s.channels : (i / s.inner + 1) * s.inner);
    fn(i, run_end - i, ScaleRun{s.values.data() + channel, innermost ? 1 : 0});
    i = run_end;
  }
}

}  // namespace

/// AscendQuant: float32 -> int8 with `scale` (1 / scale_d) and `offset`.
void ascend_quant(OpContext& ctx) {
  const Tensor& x = ctx.input(0);
  expect_dtype(ctx, x, DataType::kFloat32, "input");
  if (!ctx.node().has_attr("scale")) ctx.fail("scale is required");
  const float scale = ctx.node().attr_float("scale", 0.0f);
  if (!std::isfinite(scale) || scale <= 0.0f) ctx.fail("scale must be finite and > 0, got " + std::to_string(scale));
  const int32_t offset = offset_attribute(ctx, "offset");
  int8_t* q = ctx.make_output(0, DataType::kInt8, x.shape()).data<int8_t>();
  const float* xv = x.data<float>();
  const Int8Isa isa = detected_int8_isa();
  parallel_for(threads_for(ctx, x.numel()), x.numel(), [&](int64_t begin, int64_t end) {
    quantize_span(isa, xv + begin, end - begin, scale, offset, q + begin);
  });
}

/// AscendDequant: int32 or int8 -> float32 with `deq_scale` (per tensor or per `axis` channel) and `offset`.
void ascend_dequant(OpContext& ctx) {
  const Tensor& x = ctx.input(0);
  if (x.dtype() != DataType::kInt32 && x.dtype() != DataType::kInt8) {
    ctx.fail("input must be int32 or int8, got " + dtype_name(x.dtype()));
  }
  const ChannelScales scales = channel_scales(ctx, "deq_scale", x.shape());
  const int32_t offset = offset_attribute(ctx, "offset");
  float* y = ctx.make_output(0, DataType::kFloat32, x.shape()).data<float>();
  const Int8Isa isa = detected_int8_isa();
  const auto run = [&](auto element) {
    using T = decltype(element);
    const T* xv = x.data<T>();
    parallel_for(threads_for(ctx, x.numel()), x.numel(), [&](int64_t begin, int64_t end) {
      for_each_scale_run(scales, begin, end, [&](int64_t i, int64_t count, ScaleRun scale) {
        dequantize_span(isa, xv + i, count, offset, scale, y + i);
      });
    });
  };
  if (x.dtype() == DataType::kInt8) {
    run(int8_t{});
  } else {
    run(int32_t{});
  }
}

/// AscendRequant: int32 -> int8 with `req_scale` (per tensor or per `axis` channel), `offset` and `relu`.
void ascend_requant(OpContext& ctx) {
  const Tensor& acc = ctx.input(0);
  expect_dtype(ctx, acc, DataType::kInt32, "input");
  const ChannelScales scales = channel_scales(ctx, "req_scale", acc.shape());
  const int32_t offset = offset_attribute(ctx, "offset");
  const int64_t relu = ctx.node().attr_int("relu", 0);
  if (relu != 0 && relu != 1) ctx.fail("relu must be 0 or 1, got " + std::to_string(relu));
  // A fused ReLU clips at the code of the float value 0.
  const int32_t lower = relu ? std::max(-128, offset) : -128;
  int8_t* q = ctx.make_output(0, DataType::kInt8, acc.shape()).data<int8_t>();
  const int32_t* av = acc.data<int32_t>();
  const Int8Isa isa = detected_int8_isa();
  parallel_for(threads_for(ctx, acc.numel()), acc.numel(), [&](int64_t begin, int64_t end) {
    for_each_scale_run(scales, begin, end, [&](int64_t i, int64_t count, ScaleRun scale) {
      requantize_span(isa, av + i, count, scale, offset, lower, q + i);
    });
  });
}

}  // namespace ptqc
