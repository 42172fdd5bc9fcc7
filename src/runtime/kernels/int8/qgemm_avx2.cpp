/// \file
/// The AVX2 micro-kernel of the INT8 GEMM (qgemm.h). AVX2 has no u8 × s8 dot product
/// that is safe (vpmaddubsw saturates its int16 pair sums), so both operands are widened
/// to int16 and multiplied by vpmaddwd: each product is at most 255 · 128 in magnitude and a
/// pair sum at most 65280, exact in int32. A quarter panel (four columns × one quad) widens
/// to sixteen int16; vpmaddwd leaves two partial sums per column, added pairwise at the end.

#include <immintrin.h>

#include <algorithm>

#include "runtime/kernels/int8/qgemm.h"

namespace ptqc {

namespace {

constexpr int kRows = 2;
constexpr int kQuarters = kPanelWidth / 4;

/// 16 bytes widened to int16, zero- or sign-extended by the signedness of \p T.
template <class T>
PTQC_TARGET_AVX2 inline __m256i widen(__m128i bytes) {
  if constexpr (std::is_same_v<T, uint8_t>) {
    return _mm256_cvtepu8_epi16(bytes);
  } else {
    return _mm256_cvtepi8_epi16(bytes);
  }
}

/// The word of L at \p p repeated four times and widened: the int16 quad [l0 l1 l2 l3] in each
/// 64-bit lane.
template <class Left>
PTQC_TARGET_AVX2 inline __m256i left_quad(const uint8_t* p) {
  return widen<Left>(_mm_broadcastd_epi32(_mm_loadu_si32(p)));
}

template <class Left>
PTQC_TARGET_AVX2 __attribute__((always_inline)) inline void multiply_quad(__m256i (&acc)[kRows][kQuarters],
                                                                          const __m256i (&left)[kRows],
                                                                          const uint8_t* quad) {
  __m256i right[kQuarters];
#pragma GCC unroll 4
  for (int t = 0; t < kQuarters; ++t) {
    right[t] = widen<RightOf<Left>>(_mm_loadu_si128(reinterpret_cast<const __m128i*>(quad + 16 * t)));
  }
#pragma GCC unroll 4
  for (int r = 0; r < kRows; ++r) {
#pragma GCC unroll 4
    for (int t = 0; t < kQuarters; ++t) acc[r][t] = _mm256_add_epi32(acc[r][t], _mm256_madd_epi16(right[t], left[r]));
  }
}

/// The eight column sums of two quarter accumulators (columns 0-3 and 4-7 of a half panel),
/// each holding [c0 c0' c1 c1' | c2 c2' c3 c3']: hadd pairs them as [c0 c1 c4 c5 | c2 c3 c6 c7].
PTQC_TARGET_AVX2 inline __m256i column_sums(__m256i first, __m256i second) {
  return _mm256_permute4x64_epi64(_mm256_hadd_epi32(first, second), 0xD8);
}

template <class Left>
PTQC_TARGET_AVX2 void avx2_tile(const GemmBlock<Left>& b) {
  const int64_t quads = depth_quads(b.depth);
  __m256i acc[kRows][kQuarters];
  for (int r = 0; r < kRows; ++r) {
    for (int t = 0; t < kQuarters; ++t) acc[r][t] = _mm256_setzero_si256();
  }
  __m256i left[kRows];
  for (int64_t q = 0; q < quads; ++q) {
#pragma GCC unroll 4
    for (int r = 0; r < kRows; ++r) left[r] = left_quad<Left>(b.left + (q * kRows + r) * 4);
    multiply_quad<Left>(acc, left, b.panels + q * 64);
  }
  const int64_t cols = std::min(b.cols, kPanelWidth);
  for (int r = 0; r < std::min<int64_t>(kRows, b.rows); ++r) {
    int32_t sums[kPanelWidth];
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(sums), column_sums(acc[r][0], acc[r][1]));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(sums + 8), column_sums(acc[r][2], acc[r][3]));
    const uint32_t row = static_cast<uint32_t>(b.row_add ? b.row_add[r] : 0);
    for (int64_t j = 0; j < cols; ++j) {
      const uint32_t col = static_cast<uint32_t>(b.col_add ? b.col_add[j] : 0);
      b.c[r * b.ldc + j] = static_cast<int32_t>(static_cast<uint32_t>(sums[j]) + row + col);
    }
  }
}

}  // namespace

const GemmKernel& avx2_gemm_kernel() {
  static const GemmKernel kernel{kRows, 1, &avx2_tile<uint8_t>, &avx2_tile<int8_t>};
  return kernel;
}

}  // namespace ptqc
