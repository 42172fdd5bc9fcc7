#include "runtime/kernels/int8/quantize.h"

#include <algorithm>
#include <cmath>

#include "runtime/kernels/int8/quantize_avx2.h"
#include "runtime/kernels/int8/quantize_avx512.h"

namespace ptqc {

namespace {

/// The integer-valued \p v (any magnitude, ±inf) clamped to [lower, 127].
int8_t saturate(double v, int32_t lower) { return static_cast<int8_t>(std::clamp(v, double(lower), 127.0)); }

}  // namespace

int8_t quantize_value(float x, float scale, int32_t offset) {
  const float product = x * scale;
  if (std::isnan(product)) return static_cast<int8_t>(offset);
  // nearbyint in the default rounding mode rounds half to even.
  return saturate(std::nearbyint(double(product)) + offset, -128);
}

float dequantize_value(int32_t x, int32_t offset, float scale) {
  return static_cast<float>(int64_t{x} - offset) * scale;
}

int8_t requantize_value(int32_t acc, float scale, int32_t offset, int32_t lower) {
  return saturate(std::nearbyint(double(acc) * double(scale)) + offset, lower);
}

void quantize_span(Int8Isa isa, const float* x, int64_t n, float scale, int32_t offset, int8_t* q) {
  if (isa == Int8Isa::kAvx512Vnni) return quantize_span_avx512(x, n, scale, offset, q);
  if (isa == Int8Isa::kAvx2) return quantize_span_avx2(x, n, scale, offset, q);
  for (int64_t i = 0; i < n; ++i) q[i] = quantize_value(x[i], scale, offset);
}

template <class T>
void dequantize_span(Int8Isa isa, const T* x, int64_t n, int32_t offset, ScaleRun scale, float* y) {
  if (isa == Int8Isa::kAvx512Vnni) return dequantize_span_avx512(x, n, offset, scale, y);
  if (isa == Int8Isa::kAvx2) return dequantize_span_avx2(x, n, offset, scale, y);
  for (int64_t i = 0; i < n; ++i) y[i] = dequantize_value(x[i], offset, scale.scales[i * scale.step]);
}

template void dequantize_span<int8_t>(Int8Isa, const int8_t*, int64_t, int32_t, ScaleRun, float*);
template void dequantize_span<int32_t>(Int8Isa, const int32_t*, int64_t, int32_t, ScaleRun, float*);

void requantize_span(Int8Isa isa, const int32_t* acc, int64_t n, ScaleRun scale, int32_t offset, int32_t lower,
                     int8_t* q) {
  if (isa == Int8Isa::kAvx512Vnni) return requantize_span_avx512(acc, n, scale, offset, lower, q);
  if (isa == Int8Isa::kAvx2) return requantize_span_avx2(acc, n, scale, offset, lower, q);
  for (int64_t i = 0; i < n; ++i) q[i] = requantize_value(acc[i], scale.scales[i * scale.step], offset, lower);
}

}  // namespace ptqc
