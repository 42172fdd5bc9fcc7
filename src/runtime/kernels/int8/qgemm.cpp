/// \file
/// Packing, the driver loop and the plain C++ micro-kernel of the INT8 GEMM (qgemm.h).

#include "runtime/kernels/int8/qgemm.h"

#include <emmintrin.h>

#include <algorithm>
#include <cstring>

namespace ptqc {

namespace {

/// Packs one full quad (4 rows) of one full panel (16 columns): row r of the quad at
/// src + r·ld, into 64 bytes: column j's four bytes at dst + 4j. SSE2 byte/word interleave.
void pack_full_quad(const int8_t* src, int64_t ld, __m128i flip, uint8_t* dst) {
  const auto row = [&](int r) {
    return _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + r * ld)), flip);
  };
  const __m128i r0 = row(0), r1 = row(1), r2 = row(2), r3 = row(3);
  const __m128i p01_low = _mm_unpacklo_epi8(r0, r1), p01_high = _mm_unpackhi_epi8(r0, r1);
  const __m128i p23_low = _mm_unpacklo_epi8(r2, r3), p23_high = _mm_unpackhi_epi8(r2, r3);
  __m128i* out = reinterpret_cast<__m128i*>(dst);
  _mm_storeu_si128(out + 0, _mm_unpacklo_epi16(p01_low, p23_low));    // columns 0-3
  _mm_storeu_si128(out + 1, _mm_unpackhi_epi16(p01_low, p23_low));    // columns 4-7
  _mm_storeu_si128(out + 2, _mm_unpacklo_epi16(p01_high, p23_high));  // columns 8-11
  _mm_storeu_si128(out + 3, _mm_unpackhi_epi16(p01_high, p23_high));  // columns 12-15
}

constexpr int64_t kScalarRows = 4;

/// The plain micro-kernel: a tile of four rows × four panels, each element summed in k order
/// with wrap-around (uint32).
template <class Left>
void scalar_tile(const GemmBlock<Left>& b) {
  using Right = RightOf<Left>;
  constexpr int64_t kCols = 4 * kPanelWidth;
  const int64_t stride = panel_bytes(b.depth);
  for (int64_t i = 0; i < b.rows; ++i) {
    uint32_t acc[kCols];
    for (int64_t j = 0; j < b.cols; ++j) {
      acc[j] =
          static_cast<uint32_t>(b.row_add ? b.row_add[i] : 0) + static_cast<uint32_t>(b.col_add ? b.col_add[j] : 0);
    }
    for (int64_t k = 0; k < b.depth; ++k) {
      const int32_t l = static_cast<Left>(b.left[(k / 4 * kScalarRows + i) * 4 + k % 4]);
      for (int64_t j = 0; j < b.cols; ++j) {
        const uint8_t r = b.panels[j / kPanelWidth * stride + k / 4 * 4 * kPanelWidth + j % kPanelWidth * 4 + k % 4];
        acc[j] += static_cast<uint32_t>(l * static_cast<Right>(r));
      }
    }
    for (int64_t j = 0; j < b.cols; ++j) b.c[i * b.ldc + j] = static_cast<int32_t>(acc[j]);
  }
}

const GemmKernel kScalarKernel{kScalarRows, 4, &scalar_tile<uint8_t>, &scalar_tile<int8_t>};

}  // namespace

void pack_panels(const int8_t* src, int64_t ld, int64_t depth, int64_t cols, bool shift, uint8_t* dst) {
  const uint8_t flip = shift ? 0x80 : 0;
  const __m128i flip_v = _mm_set1_epi8(static_cast<char>(flip));
  const int64_t quads = depth_quads(depth);
  for (int64_t j0 = 0; j0 < cols; j0 += kPanelWidth, dst += panel_bytes(depth)) {
    const int64_t width = std::min(kPanelWidth, cols - j0);
    for (int64_t q = 0; q < quads; ++q) {
      uint8_t* out = dst + q * 4 * kPanelWidth;
      const int8_t* in = src + 4 * q * ld + j0;
      const int64_t height = std::min<int64_t>(4, depth - 4 * q);
      if (width == kPanelWidth && height == 4) {
        pack_full_quad(in, ld, flip_v, out);
        continue;
      }
      std::memset(out, 0, 4 * kPanelWidth);
      for (int64_t r = 0; r < height; ++r) {
        for (int64_t j = 0; j < width; ++j) out[4 * j + r] = static_cast<uint8_t>(in[r * ld + j]) ^ flip;
      }
    }
  }
}

void pack_rows(const GemmKernel& kernel, const int8_t* src, int64_t ld, int64_t rows, int64_t depth, bool shift,
               uint8_t* dst) {
  const uint32_t flip = shift ? 0x80808080u : 0;
  const int64_t quads = depth_quads(depth), full_quads = depth / 4, height = kernel.rows;
  for (int64_t first = 0; first < rows; first += height, dst += row_tile_bytes(kernel, depth)) {
    for (int64_t r = 0; r < height; ++r) {
      // Word (q, r) of the tile holds k = 4q .. 4q + 3 of row first + r.
      const auto word = [&](int64_t q) { return dst + (q * height + r) * 4; };
      if (first + r >= rows) {
        for (int64_t q = 0; q < quads; ++q) std::memset(word(q), 0, 4);
        continue;
      }
      const int8_t* row = src + (first + r) * ld;
      for (int64_t q = 0; q < full_quads; ++q) {
        uint32_t v;
        std::memcpy(&v, row + 4 * q, 4);
        v ^= flip;
        std::memcpy(word(q), &v, 4);
      }
      if (const int64_t tail = depth - 4 * full_quads) {
        uint8_t* out = word(full_quads);
        std::memset(out, 0, 4);
        for (int64_t s = 0; s < tail; ++s)
          out[s] = static_cast<uint8_t>(row[4 * full_quads + s]) ^ static_cast<uint8_t>(flip);
      }
    }
  }
}

const GemmKernel& gemm_kernel(Int8Isa isa) {
  switch (isa) {
    case Int8Isa::kAvx512Vnni:
      return vnni_gemm_kernel();
    case Int8Isa::kAvx2:
      return avx2_gemm_kernel();
    case Int8Isa::kScalar:
      break;
  }
  return kScalarKernel;
}

TilePlan plan_tiles(const GemmKernel& kernel, int64_t depth, int64_t rows, int64_t cols, int64_t outer, int threads) {
  TilePlan plan;
  const int64_t group_cols = kernel.panels * kPanelWidth;
  const int64_t wanted = std::max(TilePlan::kMinTile, TilePlan::kTileBytes / std::max<int64_t>(depth, 1));
  plan.tile = std::max<int64_t>(1, std::min((wanted + group_cols - 1) / group_cols * group_cols, cols));
  plan.tiles = (cols + plan.tile - 1) / plan.tile;
  plan.kernel_rows = kernel.rows;
  plan.row_tiles = (rows + kernel.rows - 1) / kernel.rows;
  const int64_t items = outer * plan.tiles;
  if (items > 0 && items < threads) plan.splits = std::clamp<int64_t>((threads + items - 1) / items, 1, plan.row_tiles);
  return plan;
}

template <class Left>
void gemm_int8(const GemmKernel& kernel, const GemmBlock<Left>& block) {
  const auto tile_fn = [&] {
    if constexpr (std::is_same_v<Left, uint8_t>) {
      return kernel.unsigned_left;
    } else {
      return kernel.signed_left;
    }
  }();
  const int64_t group_cols = kernel.panels * kPanelWidth;
  for (int64_t j = 0; j < block.cols; j += group_cols) {
    GemmBlock<Left> tile = block;
    tile.panels += j / kPanelWidth * panel_bytes(block.depth);
    if (tile.col_add) tile.col_add += j;
    tile.cols = std::min(group_cols, block.cols - j);
    for (int64_t i = 0; i < block.rows; i += kernel.rows) {
      tile.left = block.left + i / kernel.rows * row_tile_bytes(kernel, block.depth);
      tile.row_add = block.row_add ? block.row_add + i : nullptr;
      tile.c = block.c + i * block.ldc + j;
      tile.rows = std::min(kernel.rows, block.rows - i);
      tile_fn(tile);
    }
  }
}

template void gemm_int8<uint8_t>(const GemmKernel&, const GemmBlock<uint8_t>&);
template void gemm_int8<int8_t>(const GemmKernel&, const GemmBlock<int8_t>&);

}  // namespace ptqc
