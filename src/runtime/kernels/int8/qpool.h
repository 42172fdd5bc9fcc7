#pragma once
/// \file
/// QAveragePool (docs/quantization.md): int8 average pooling in the input's quantization,
/// y = sat_int8(round_half_even(S / n)) with S the window's sum and n ONNX's divisor, the
/// division rounded exactly in integers.

#include <cstdint>

#include "runtime/kernels/conv_util.h"
#include "runtime/kernels/int8/int8_util.h"

namespace ptqc {

/// One QAveragePool evaluation, checked.
struct QPoolProblem {
  WindowGeometry window;  ///< The whole plane (one output position) for global = 1.
  int64_t planes = 0;     ///< N · C.
  Shape output_shape;
  bool count_padding = false;  ///< count_include_pad.
  int32_t x_offset = 0;
  const int8_t* x = nullptr;
};

/// The problem of a QAveragePool node: input x (int8); attributes global (0/1), or kernel_shape
/// (required unless global), strides, dilations, pads (explicit), ceil_mode, count_include_pad, x_offset.
QPoolProblem qaverage_pool_problem(const OpContext& ctx);

/// round_half_even(sum / count), exactly: the truncated quotient, moved one away from zero when
/// twice the remainder exceeds count, or equals it and the quotient is odd. \pre count > 0.
int64_t divide_round_half_even(int64_t sum, int64_t count);

/// The output code of one window: S = \p sum over the \p inside taps inside x; with
/// \p count_padding the taps in the padding (\p padded - \p inside) add x_offset each to S
/// and the divisor is \p padded, else it is \p inside. sat_int8(divide_round_half_even(S, n)),
/// or x_offset (the float value 0, as the FP32 kernel gives) when n = 0.
int8_t window_average(int64_t sum, int64_t inside, int64_t padded, bool count_padding, int32_t x_offset);

/// QAveragePool by definition: for each window, window_average of the sum of its taps inside x,
/// their count, and the count of its taps inside the padded input [-pad_begin, in + pad_end)
/// (taps past it, as ceil_mode makes, count nowhere).
void qaverage_pool_reference(const QPoolProblem& p, int8_t* y);

/// QAveragePool, fast: per output row, column sums over the window's rows, then window sums
/// over those columns (the window is a box, so the counts factor per dim too).
void qaverage_pool_fast(const QPoolProblem& p, const Int8Run& run, int8_t* y);

}  // namespace ptqc
