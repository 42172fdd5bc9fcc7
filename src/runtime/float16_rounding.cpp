#include "runtime/float16_rounding.h"

#include <cpuid.h>
#include <immintrin.h>

#include "runtime/kernels/kernel_util.h"

namespace ptqc {

namespace {

/// F16C conversion, 8 floats at a time (vcvtps2ph rounds to nearest even, like float_to_half).
__attribute__((target("avx,f16c"))) int64_t round_f16c(float* p, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m128i h = _mm256_cvtps_ph(_mm256_loadu_ps(p + i), _MM_FROUND_TO_NEAREST_INT);
    _mm256_storeu_ps(p + i, _mm256_cvtph_ps(h));
  }
  return i;
}

/// The same conversion, 16 floats at a time (AVX-512F's vcvtps2ph on zmm).
__attribute__((target("avx512f"))) int64_t round_avx512(float* p, int64_t n) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256i h = _mm512_cvtps_ph(_mm512_loadu_ps(p + i), _MM_FROUND_TO_NEAREST_INT);
    _mm512_storeu_ps(p + i, _mm512_cvtph_ps(h));
  }
  return i;
}

bool has_avx512f() {
  static const bool supported = __builtin_cpu_supports("avx512f");
  return supported;
}

bool has_f16c() {
  // CPUID leaf 1 rather than __builtin_cpu_supports("f16c"), which clang 14 does not know.
  static const bool supported = [] {
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    return __get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & bit_F16C) != 0 && __builtin_cpu_supports("avx");
  }();
  return supported;
}

}  // namespace

void round_span_to_float16(float* p, int64_t n) {
  int64_t done = has_avx512f() ? round_avx512(p, n) : 0;
  if (has_f16c()) done += round_f16c(p + done, n - done);
  for (; done < n; ++done) p[done] = half_to_float(float_to_half(p[done]));
}

void round_to_float16(Tensor& t, int threads) {
  // Below this many elements per thread a thread costs more than it saves.
  constexpr int64_t kElementsPerThread = 1 << 16;
  float* p = t.data<float>();
  const int64_t n = t.numel();
  parallel_for(n >= 2 * kElementsPerThread ? threads : 1, n,
               [p](int64_t begin, int64_t end) { round_span_to_float16(p + begin, end - begin); });
}

}  // namespace ptqc
