#pragma once
/// \file
/// QConv and QConvTranspose (docs/quantization.md): int8 convolution and transposed
/// convolution of (x - x_offset) with int8 weights, int32 accumulation, plus an int32 bias.
/// Results are int32 with two's-complement wrap-around: exact whenever the true sum fits
/// int32 (the rewrite guarantees C/group · prod(kernel) <= 66000), and identical in the
/// reference and every fast path for all inputs.

#include <cstdint>
#include <vector>

#include "runtime/kernels/conv_util.h"
#include "runtime/kernels/int8/int8_util.h"
#include "runtime/kernels/int8/output_stage.h"

namespace ptqc {

/// One QConv or QConvTranspose evaluation, shapes and attributes checked. The window maps
/// x's spatial dims (input) to y's (output) in both cases.
struct QConvProblem {
  WindowGeometry window;
  int64_t batch = 0;
  int64_t in_channels = 0;
  int64_t out_channels = 0;
  int64_t groups = 1;
  int32_t x_offset = 0;
  const int8_t* x = nullptr;      ///< N × C × input.
  const int8_t* w = nullptr;      ///< QConv: M × C/group × kernel; QConvTranspose: C × M/group × kernel.
  const int32_t* bias = nullptr;  ///< M values, or nullptr.

  int64_t in_per_group() const { return in_channels / groups; }
  int64_t out_per_group() const { return out_channels / groups; }
  Shape output_shape() const { return window.output_shape(batch, out_channels); }
};

/// The problem of a QConv node: inputs x (int8), w (int8), optional bias (int32); attributes
/// strides, dilations, pads (explicit), group, kernel_shape (optional, must match w), x_offset.
QConvProblem qconv_problem(const OpContext& ctx);

/// The problem of a QConvTranspose node: as QConv plus output_padding; the output size per dim
/// is stride · (in - 1) + output_padding + (kernel - 1) · dilation + 1 - pad_begin - pad_end.
QConvProblem qconv_transpose_problem(const OpContext& ctx);

/// QConv by definition:
///   y[n, m, o] = bias[m] + Σ_{c, k} w[m, c, k] · (x_pad[n, g·C/group + c, o·stride - pad_begin + k·dilation] -
///   x_offset)
/// with g = m / (M/group) and x_pad = x_offset outside x. \p y holds output_shape() values.
void qconv_reference(const QConvProblem& p, int32_t* y);

/// QConvTranspose by definition: y = bias, then for every input position i, channel c, tap k and
/// output channel m of c's group: y[n, m, i·stride - pad_begin + k·dilation] += (x[n, c, i] - x_offset) ·
/// w[c, m mod (M/group), k], for targets inside y.
void qconv_transpose_reference(const QConvProblem& p, int32_t* y);

/// A QConv's or QConvTranspose's weights in the form its fast GEMM reads, built once per node
/// (OpContext::prepared) for the micro-kernel of `isa`: per group the left operand L packed as
/// row tiles (group_bytes apart) and its row corrections row_add (qgemm.h). For QConv,
/// L = w_g and row_add[m] = bias[m] - (128 + x_offset) · Σ_k w[m, k]; for QConvTranspose,
/// L = w_gᵀ with rows (m, k) and row_add[(m, k)] = -(128 + x_offset) · Σ_c w[c, m, k]. Empty
/// for a depthwise QConv, whose window sweep reads w as it is.
struct PackedConvWeights : PreparedState {
  Int8Isa isa = Int8Isa::kScalar;
  std::vector<uint8_t> packed;
  int64_t group_bytes = 0;
  std::vector<int32_t> row_add;
};

/// \p p's weights packed for qconv_fast on \p isa.
PackedConvWeights pack_qconv_weights(const QConvProblem& p, Int8Isa isa);

/// QConv, fast: a window sweep for one input channel per group (depthwise, 1-D/2-D), else per
/// group and tile of output positions the GEMM of qgemm.h with L = the weights and R = im2col
/// of x; the accumulators of each tile go through \p y's output stage while in cache.
/// \pre \p weights = pack_qconv_weights(p, run.isa).
void qconv_fast(const QConvProblem& p, const PackedConvWeights& weights, const Int8Run& run, const ProductOutput& y);

/// \p p's weights packed for qconv_transpose_fast on \p isa.
PackedConvWeights pack_qconv_transpose_weights(const QConvProblem& p, Int8Isa isa);

/// QConvTranspose, fast: per group the GEMM cols = wᵀ · (x - x_offset), then col2im.
/// \pre \p weights = pack_qconv_transpose_weights(p, run.isa).
void qconv_transpose_fast(const QConvProblem& p, const PackedConvWeights& weights, const Int8Run& run, int32_t* y);

}  // namespace ptqc
