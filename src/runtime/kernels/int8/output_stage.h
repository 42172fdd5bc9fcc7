#pragma once
/// \file
/// The output stage of an INT8 product: what becomes of its int32 accumulators. On their own
/// they are the product's output; when an AscendDequant (→ float32) or AscendRequant (→ int8)
/// is their only reader, the executor hands that node to the product's kernel
/// (OpContext::absorbed), and after a Dequant also an activation that is the only reader of its
/// output (Swish, HardSwish) and the AscendQuant that is the only reader of the activation's.
/// The kernel converts each tile of accumulators while it is still in cache and writes the
/// last absorbed node's output: one pass over memory instead of up to seven. Each step is the
/// absorbed node's own (apply() is what the AscendDequant and AscendRequant kernels run, the
/// activation is its kernel's span function, FP16 rounding is the executor's, quantization is
/// AscendQuant's span), so the result is bit for bit the unfused one.

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/kernels/activation_span.h"
#include "runtime/kernels/int8/int8_isa.h"
#include "runtime/kernels/int8/quantize.h"
#include "runtime/op_context.h"

namespace ptqc {

/// The scales of a Dequant/Requant node over a tensor: element i uses values[(i / inner) % channels].
struct ChannelScales {
  std::vector<float> values;
  int64_t channels = 1;
  int64_t inner = 1;
};

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

/// Reads \p ctx's float list \p key for an input of \p shape: one finite value (per tensor),
/// or one per entry of dim `axis` (default 1). Malformed attributes fail \p ctx.
ChannelScales channel_scales(const OpContext& ctx, const std::string& key, const Shape& shape);

/// An AscendDequant or AscendRequant of int32 accumulators, checked against their shape.
struct OutputStage {
  enum class Kind { kDequantize, kRequantize };
  Kind kind = Kind::kDequantize;
  ChannelScales scales;
  int32_t offset = 0;
  int32_t lower = -128;  ///< Requantize: -128, or max(-128, offset) with a fused ReLU.
  bool float16 = false;  ///< Dequantize: round each value to FP16 after each float step.
  /// Dequantize: the activation applied next, or nullptr.
  FloatSpanFn activation = nullptr;
  /// Dequantize with an activation: quantize its result with this AscendQuant (scale, offset).
  bool quantize = false;
  float quant_scale = 1.0f;
  int32_t quant_offset = 0;

  /// The output's element type: float32 (dequantize) or int8 (requantize, or quantize after).
  DataType dtype() const { return kind == Kind::kDequantize && !quantize ? DataType::kFloat32 : DataType::kInt8; }

  /// Converts acc[0 .. count), the accumulators of flat output elements [first, first + count),
  /// into those elements of \p out (float* or int8_t* by dtype()).
  void apply(Int8Isa isa, const int32_t* acc, int64_t first, int64_t count, void* out) const;

 private:
  /// y = the float steps (dequantization, FP16 rounding, activation) of acc[0 .. n).
  void dequantize_floats(Int8Isa isa, const int32_t* acc, int64_t n, ScaleRun run, float* y) const;
};

/// The output stage that node \p ctx (an AscendDequant of int32 or an AscendRequant) applies to
/// an input of \p shape; its malformed attributes fail \p ctx.
OutputStage parse_output_stage(const OpContext& ctx, const Shape& shape);

/// Where a product's results go: int32 accumulators written in place, or an output stage's
/// output written tile by tile through store().
struct ProductOutput {
  void* data = nullptr;
  const OutputStage* stage = nullptr;  ///< nullptr: data holds the int32 accumulators.

  /// The accumulators of elements [first, ...) when they are the output, else nullptr.
  int32_t* in_place(int64_t first) const { return stage ? nullptr : static_cast<int32_t*>(data) + first; }
  /// Writes acc[0 .. count), the accumulators of elements [first, first + count).
  void store(Int8Isa isa, const int32_t* acc, int64_t first, int64_t count) const;
};

/// A product's output of accumulator shape \p shape, made in \p ctx: the output of the nodes
/// it absorbs when the executor gave it some (parsed into \p stage, which must outlive the
/// result; float values are rounded to FP16 after each step when ctx.float16_outputs()), else
/// the int32 accumulators.
ProductOutput make_product_output(OpContext& ctx, const Shape& shape, OutputStage& stage);

}  // namespace ptqc
