#pragma once
/// \file
/// The element formulas of AscendQuant, AscendDequant and AscendRequant
/// (docs/quantization.md), and their application to contiguous spans. The
/// *_value functions are the reference; the span functions apply them, with
/// AVX-512 or AVX2 where the instruction set allows, and give bit-identical results.

#include <cstdint>

#include "runtime/kernels/int8/int8_isa.h"

namespace ptqc {

/// AscendQuant: q = sat_int8(round_half_even(x · scale) + offset), the product in float32;
/// NaN gives offset, ±inf saturates. \pre offset in [-128, 127].
int8_t quantize_value(float x, float scale, int32_t offset);

/// AscendDequant: y = float(x - offset) · scale in float32, x - offset exact (int64).
float dequantize_value(int32_t x, int32_t offset, float scale);

/// AscendRequant: q = clamp(round_half_even(double(acc) · double(scale)) + offset, lower, 127),
/// the product in float64; lower is -128, or max(-128, offset) for a fused ReLU.
/// \pre offset in [-128, 127], lower in [-128, 127].
int8_t requantize_value(int32_t acc, float scale, int32_t offset, int32_t lower);

/// The scales of a span: element i uses scales[i · step] (step 0: one scale for the
/// whole span, step 1: one scale per element, as for the last axis).
struct ScaleRun {
  const float* scales = nullptr;
  int64_t step = 0;
};

/// q[i] = quantize_value(x[i], scale, offset) for i < n.
void quantize_span(Int8Isa isa, const float* x, int64_t n, float scale, int32_t offset, int8_t* q);

/// y[i] = dequantize_value(x[i], offset, scale of i) for i < n; T is int8_t or int32_t.
template <class T>
void dequantize_span(Int8Isa isa, const T* x, int64_t n, int32_t offset, ScaleRun scale, float* y);

/// q[i] = requantize_value(acc[i], scale of i, offset, lower) for i < n.
void requantize_span(Int8Isa isa, const int32_t* acc, int64_t n, ScaleRun scale, int32_t offset, int32_t lower,
                     int8_t* q);

}  // namespace ptqc
