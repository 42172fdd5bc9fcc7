/// \file
/// The quantize/dequantize/requantize spans on AVX2, 8 float32 (or 2 × 4 float64) lanes at a
/// time; the last partial vector runs the scalar formulas. Every vector step is the IEEE
/// operation the scalar formula performs (multiply, round half to even, clamp), so the results
/// are bit-identical.

#include "runtime/kernels/int8/quantize_avx2.h"

#include <immintrin.h>

#include <climits>
#include <cstring>

namespace ptqc {

namespace {

constexpr int kRound = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;

/// Eight int32 lanes holding values in [-128, 127], stored as eight int8.
PTQC_TARGET_AVX2 inline void store8(int8_t* q, __m256i v) {
  const __m128i words = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  _mm_storel_epi64(reinterpret_cast<__m128i*>(q), _mm_packs_epi16(words, words));
}

/// The scales of elements i..i+7 of a run (broadcast when the run has one scale).
PTQC_TARGET_AVX2 inline __m256 load_scales(ScaleRun run, int64_t i) {
  return run.step == 0 ? _mm256_set1_ps(run.scales[0]) : _mm256_loadu_ps(run.scales + i);
}

/// Eight dequantization inputs minus the offset as float32, when that is one exact integer
/// rounded once (always for int8; for int32 away from the int32 ends); false otherwise.
PTQC_TARGET_AVX2 inline bool centred8(const int8_t* x, __m256i offset, __m256& out) {
  const __m256i v = _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(x)));
  out = _mm256_cvtepi32_ps(_mm256_sub_epi32(v, offset));
  return true;
}
PTQC_TARGET_AVX2 inline bool centred8(const int32_t* x, __m256i offset, __m256& out) {
  const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x));
  const __m256i inside = _mm256_and_si256(_mm256_cmpgt_epi32(v, _mm256_set1_epi32(INT32_MIN + 256)),
                                          _mm256_cmpgt_epi32(_mm256_set1_epi32(INT32_MAX - 256), v));
  if (_mm256_movemask_epi8(inside) != -1) return false;
  out = _mm256_cvtepi32_ps(_mm256_sub_epi32(v, offset));
  return true;
}

/// Four accumulators times their scales, rounded, offset and clamped, as int32 lanes.
PTQC_TARGET_AVX2 inline __m128i requantize4(const int32_t* acc, __m256d scales, __m256d offset, __m256d lower) {
  const __m256d a = _mm256_cvtepi32_pd(_mm_loadu_si128(reinterpret_cast<const __m128i*>(acc)));
  // round(p) + offset is exact below 2^53 and saturates alike beyond it.
  __m256d v = _mm256_add_pd(_mm256_round_pd(_mm256_mul_pd(a, scales), kRound), offset);
  v = _mm256_min_pd(_mm256_max_pd(v, lower), _mm256_set1_pd(127.0));
  return _mm256_cvtpd_epi32(v);
}

}  // namespace

PTQC_TARGET_AVX2 void quantize_span_avx2(const float* x, int64_t n, float scale, int32_t offset, int8_t* q) {
  const __m256 scale_v = _mm256_set1_ps(scale);
  const __m256 offset_v = _mm256_set1_ps(static_cast<float>(offset));
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 product = _mm256_mul_ps(_mm256_loadu_ps(x + i), scale_v);
    const __m256 nan = _mm256_cmp_ps(product, product, _CMP_UNORD_Q);
    // round(p) + offset is exact below 2^24 and saturates alike beyond it.
    __m256 v = _mm256_add_ps(_mm256_round_ps(product, kRound), offset_v);
    v = _mm256_min_ps(_mm256_max_ps(v, _mm256_set1_ps(-128.0f)), _mm256_set1_ps(127.0f));
    store8(q + i, _mm256_cvtps_epi32(_mm256_blendv_ps(v, offset_v, nan)));
  }
  for (; i < n; ++i) q[i] = quantize_value(x[i], scale, offset);
}

template <class T>
PTQC_TARGET_AVX2 void dequantize_span_avx2(const T* x, int64_t n, int32_t offset, ScaleRun scale, float* y) {
  const __m256i offset_v = _mm256_set1_epi32(offset);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 centred;
    if (centred8(x + i, offset_v, centred)) {
      _mm256_storeu_ps(y + i, _mm256_mul_ps(centred, load_scales(scale, i)));
    } else {
      for (int64_t k = i; k < i + 8; ++k) y[k] = dequantize_value(x[k], offset, scale.scales[k * scale.step]);
    }
  }
  for (; i < n; ++i) y[i] = dequantize_value(x[i], offset, scale.scales[i * scale.step]);
}

template void dequantize_span_avx2<int8_t>(const int8_t*, int64_t, int32_t, ScaleRun, float*);
template void dequantize_span_avx2<int32_t>(const int32_t*, int64_t, int32_t, ScaleRun, float*);

PTQC_TARGET_AVX2 void requantize_span_avx2(const int32_t* acc, int64_t n, ScaleRun scale, int32_t offset, int32_t lower,
                                           int8_t* q) {
  const __m256d offset_v = _mm256_set1_pd(offset);
  const __m256d lower_v = _mm256_set1_pd(lower);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 s = load_scales(scale, i);  // float32 scales widened exactly
    const __m128i low = requantize4(acc + i, _mm256_cvtps_pd(_mm256_castps256_ps128(s)), offset_v, lower_v);
    const __m128i high = requantize4(acc + i + 4, _mm256_cvtps_pd(_mm256_extractf128_ps(s, 1)), offset_v, lower_v);
    store8(q + i, _mm256_set_m128i(high, low));
  }
  for (; i < n; ++i) q[i] = requantize_value(acc[i], scale.scales[i * scale.step], offset, lower);
}

}  // namespace ptqc
