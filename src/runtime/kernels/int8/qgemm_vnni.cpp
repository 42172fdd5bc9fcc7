/// \file
/// The AVX-512 VNNI micro-kernel of the INT8 GEMM (qgemm.h): kRows × kPanels accumulators
/// of sixteen int32 lanes; per quad of k, one vpdpbusd per accumulator adds the four
/// u8 × s8 products of its lane (wrapping, like every path) between a broadcast word of L
/// and a 64-byte line of R.

#include <immintrin.h>

#include <algorithm>

#include "runtime/kernels/int8/qgemm.h"

namespace ptqc {

namespace {

constexpr int kRows = 6;
constexpr int kPanels = 4;

template <class Left>
PTQC_TARGET_AVX512_VNNI void vnni_tile(const GemmBlock<Left>& b) {
  const int64_t quads = depth_quads(b.depth);
  const int64_t live_panels = (b.cols + kPanelWidth - 1) / kPanelWidth;
  const uint8_t* panels[kPanels];
  __mmask16 lanes[kPanels];
  for (int v = 0; v < kPanels; ++v) {
    panels[v] = b.panels + std::min<int64_t>(v, live_panels - 1) * panel_bytes(b.depth);
    const int64_t n = std::clamp<int64_t>(b.cols - v * kPanelWidth, 0, kPanelWidth);
    lanes[v] = static_cast<__mmask16>((1u << n) - 1);
  }

  __m512i acc[kRows][kPanels];
#pragma GCC unroll 8
  for (int v = 0; v < kPanels; ++v) {
    const __m512i col = b.col_add ? _mm512_maskz_loadu_epi32(lanes[v], b.col_add + v * kPanelWidth) : __m512i{};
#pragma GCC unroll 8
    for (int r = 0; r < kRows; ++r) {
      const int32_t row = b.row_add ? b.row_add[std::min<int64_t>(r, b.rows - 1)] : 0;
      acc[r][v] = _mm512_add_epi32(col, _mm512_set1_epi32(row));
    }
  }
  const uint8_t* left = b.left;
  for (int64_t q = 0; q < quads; ++q, left += 4 * kRows) {
    __m512i right[kPanels];
#pragma GCC unroll 8
    for (int v = 0; v < kPanels; ++v) right[v] = _mm512_loadu_si512(panels[v] + q * 64);
#pragma GCC unroll 8
    for (int r = 0; r < kRows; ++r) {
      const __m512i word = _mm512_broadcastd_epi32(_mm_loadu_si32(left + 4 * r));
#pragma GCC unroll 8
      for (int v = 0; v < kPanels; ++v) {
        // vpdpbusd takes the unsigned bytes first.
        if constexpr (std::is_same_v<Left, uint8_t>) {
          acc[r][v] = _mm512_dpbusd_epi32(acc[r][v], word, right[v]);
        } else {
          acc[r][v] = _mm512_dpbusd_epi32(acc[r][v], right[v], word);
        }
      }
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < kRows; ++r) {
    if (r >= b.rows) break;
#pragma GCC unroll 8
    for (int v = 0; v < kPanels; ++v) _mm512_mask_storeu_epi32(b.c + r * b.ldc + v * kPanelWidth, lanes[v], acc[r][v]);
  }
}

}  // namespace

const GemmKernel& vnni_gemm_kernel() {
  static const GemmKernel kernel{kRows, kPanels, &vnni_tile<uint8_t>, &vnni_tile<int8_t>};
  return kernel;
}

}  // namespace ptqc
