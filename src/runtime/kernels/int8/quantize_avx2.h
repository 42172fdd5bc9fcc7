#pragma once
/// \file
/// AVX2 versions of the span functions of quantize.h (same contracts, same results bit for
/// bit). Call only when the CPU runs AVX2 (detected_int8_isa() is kAvx2 or better).

#include <cstdint>

#include "runtime/kernels/int8/quantize.h"

namespace ptqc {

PTQC_TARGET_AVX2 void quantize_span_avx2(const float* x, int64_t n, float scale, int32_t offset, int8_t* q);
template <class T>
PTQC_TARGET_AVX2 void dequantize_span_avx2(const T* x, int64_t n, int32_t offset, ScaleRun scale, float* y);
PTQC_TARGET_AVX2 void requantize_span_avx2(const int32_t* acc, int64_t n, ScaleRun scale, int32_t offset, int32_t lower,
                                           int8_t* q);

}  // namespace ptqc
