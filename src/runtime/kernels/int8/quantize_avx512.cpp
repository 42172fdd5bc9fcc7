/// \file
/// The quantize/dequantize/requantize spans, 16 (float32) or 8 (float64) lanes at a
/// time; the last partial vector is handled with masked loads and stores. Every step
/// is the IEEE operation the scalar formula performs (multiply, round half to even,
/// clamp), so the results are bit-identical.

#include "runtime/kernels/int8/quantize_avx512.h"

#include <immintrin.h>

#include <algorithm>
#include <cstdint>

namespace ptqc {

namespace {

constexpr int kRound = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;

/// Mask of the first min(n, lanes) lanes.
PTQC_TARGET_AVX512_VNNI inline __mmask16 first_lanes(int64_t n, int lanes) {
  return static_cast<__mmask16>((1u << std::min<int64_t>(n, lanes)) - 1);
}

/// The scales of elements i.. of a run: 16 (broadcast when the run has one scale).
PTQC_TARGET_AVX512_VNNI inline __m512 load_scales16(ScaleRun run, int64_t i, __mmask16 lanes) {
  return run.step == 0 ? _mm512_set1_ps(run.scales[0]) : _mm512_maskz_loadu_ps(lanes, run.scales + i);
}

/// The scales of elements i.. of a run: 8, widened to float64 (exact).
PTQC_TARGET_AVX512_VNNI inline __m512d load_scales8(ScaleRun run, int64_t i, __mmask8 lanes) {
  return run.step == 0 ? _mm512_set1_pd(run.scales[0]) : _mm512_cvtps_pd(_mm256_maskz_loadu_ps(lanes, run.scales + i));
}

/// 16 inputs of a dequantization minus the offset, as float32: exact for int8 (|v| <= 255);
/// for int32 the difference is formed in float64 (exact) and rounded once, like float(int64).
PTQC_TARGET_AVX512_VNNI inline __m512 centred16(const int8_t* x, __mmask16 lanes, __m512i offset) {
  const __m512i v = _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(lanes, x));
  return _mm512_cvtepi32_ps(_mm512_sub_epi32(v, offset));
}
PTQC_TARGET_AVX512_VNNI inline __m512 centred16(const int32_t* x, __mmask16 lanes, __m512i offset) {
  const __m512i v = _mm512_maskz_loadu_epi32(lanes, x);
  // Away from the int32 ends v - offset (|offset| <= 128) cannot wrap, and converting that exact
  // integer rounds once, as the float64 route below does: the same value, in two operations.
  const __mmask16 inside = _mm512_cmpgt_epi32_mask(v, _mm512_set1_epi32(INT32_MIN + 256)) &
                           _mm512_cmplt_epi32_mask(v, _mm512_set1_epi32(INT32_MAX - 256));
  if (inside == 0xffff) return _mm512_cvtepi32_ps(_mm512_sub_epi32(v, offset));
  const __m512d off = _mm512_cvtepi32_pd(_mm512_castsi512_si256(offset));
  const __m256 low = _mm512_cvtpd_ps(_mm512_sub_pd(_mm512_cvtepi32_pd(_mm512_castsi512_si256(v)), off));
  const __m256 high = _mm512_cvtpd_ps(_mm512_sub_pd(_mm512_cvtepi32_pd(_mm512_extracti64x4_epi64(v, 1)), off));
  return _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castps_pd(_mm512_castps256_ps512(low)), _mm256_castps_pd(high), 1));
}

}  // namespace

PTQC_TARGET_AVX512_VNNI void quantize_span_avx512(const float* x, int64_t n, float scale, int32_t offset, int8_t* q) {
  const __m512 scale_v = _mm512_set1_ps(scale);
  const __m512 offset_v = _mm512_set1_ps(static_cast<float>(offset));
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 lanes = first_lanes(n - i, 16);
    const __m512 product = _mm512_mul_ps(_mm512_maskz_loadu_ps(lanes, x + i), scale_v);
    const __mmask16 nan = _mm512_cmp_ps_mask(product, product, _CMP_UNORD_Q);
    // round(p) + offset is exact below 2^24 and saturates alike beyond it.
    __m512 v = _mm512_add_ps(_mm512_roundscale_ps(product, kRound), offset_v);
    v = _mm512_min_ps(_mm512_max_ps(v, _mm512_set1_ps(-128.0f)), _mm512_set1_ps(127.0f));
    v = _mm512_mask_mov_ps(v, nan, offset_v);
    _mm_mask_storeu_epi8(q + i, lanes, _mm512_cvtepi32_epi8(_mm512_cvtps_epi32(v)));
  }
}

template <class T>
PTQC_TARGET_AVX512_VNNI void dequantize_span_avx512(const T* x, int64_t n, int32_t offset, ScaleRun scale, float* y) {
  const __m512i offset_v = _mm512_set1_epi32(offset);
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 lanes = first_lanes(n - i, 16);
    const __m512 v = _mm512_mul_ps(centred16(x + i, lanes, offset_v), load_scales16(scale, i, lanes));
    _mm512_mask_storeu_ps(y + i, lanes, v);
  }
}

template void dequantize_span_avx512<int8_t>(const int8_t*, int64_t, int32_t, ScaleRun, float*);
template void dequantize_span_avx512<int32_t>(const int32_t*, int64_t, int32_t, ScaleRun, float*);

PTQC_TARGET_AVX512_VNNI void requantize_span_avx512(const int32_t* acc, int64_t n, ScaleRun scale, int32_t offset,
                                                    int32_t lower, int8_t* q) {
  const __m512d offset_v = _mm512_set1_pd(offset);
  const __m512d lower_v = _mm512_set1_pd(lower);
  const __m512d upper_v = _mm512_set1_pd(127.0);
  for (int64_t i = 0; i < n; i += 8) {
    const __mmask8 lanes = static_cast<__mmask8>(first_lanes(n - i, 8));
    const __m512d a = _mm512_cvtepi32_pd(_mm256_maskz_loadu_epi32(lanes, acc + i));
    const __m512d product = _mm512_mul_pd(a, load_scales8(scale, i, lanes));
    // round(p) + offset is exact below 2^53 and saturates alike beyond it.
    __m512d v = _mm512_add_pd(_mm512_roundscale_pd(product, kRound), offset_v);
    v = _mm512_min_pd(_mm512_max_pd(v, lower_v), upper_v);
    _mm_mask_storeu_epi8(q + i, lanes, _mm256_cvtepi32_epi8(_mm512_cvtpd_epi32(v)));
  }
}

}  // namespace ptqc
