#pragma once
/// \file
/// The INT8 matrix product under QConv, QConvTranspose and QMatMul:
///
///   C[i][j] = row_add[i] + col_add[j] + Σ_{k < depth} L[i][k] · R[k][j]   (mod 2^32)
///
/// with one operand holding unsigned bytes (activations shifted by +128, see
/// shifted_input_correction) and the other signed bytes (weights): the u8 × s8 form of
/// vpdpbusd. Sums are int32 with two's-complement wrap-around in every path, so each
/// element is exact whenever its true value fits int32, and identical across paths
/// and thread counts always.
///
/// Both operands are packed in quads, four consecutive k in one 32-bit word:
///  - L in row tiles of the micro-kernel's height R: byte (i, k) at tile i / R, quad k / 4,
///    row i % R, slot k % 4, so a tile's R words of one quad are adjacent (R broadcasts);
///  - R in panels of kPanelWidth columns: byte (k, j) at panel j / 16, quad k / 4, lane j % 16,
///    slot k % 4, so one 64-byte line holds one quad of sixteen columns (one vector).
/// Both are zero beyond depth and beyond their rows/columns.

#include <algorithm>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "runtime/kernels/int8/int8_isa.h"

namespace ptqc {

constexpr int64_t kPanelWidth = 16;

/// Quads (groups of four k) covering \p depth.
inline int64_t depth_quads(int64_t depth) { return (depth + 3) / 4; }

/// Bytes of one packed panel of \p depth rows.
inline int64_t panel_bytes(int64_t depth) { return depth_quads(depth) * 4 * kPanelWidth; }

/// Bytes of the packed form of a depth × cols right operand.
inline int64_t packed_panels_size(int64_t depth, int64_t cols) {
  return (cols + kPanelWidth - 1) / kPanelWidth * panel_bytes(depth);
}

/// Packs the depth × cols int8 matrix at \p src (row stride \p ld) into panels at \p dst
/// (packed_panels_size bytes). With \p shift each value v is stored as the uint8 v + 128
/// (v XOR 0x80), the form activations take in the product.
void pack_panels(const int8_t* src, int64_t ld, int64_t depth, int64_t cols, bool shift, uint8_t* dst);

/// bias - (128 + x_offset) · weight_sum (mod 2^32): added to Σ_k (x_k + 128) · w_k it gives
/// bias + Σ_k (x_k - x_offset) · w_k, with weight_sum = Σ_k w_k.
inline int32_t shifted_input_correction(int32_t bias, int64_t weight_sum, int32_t x_offset) {
  return static_cast<int32_t>(static_cast<uint32_t>(bias) -
                              static_cast<uint32_t>(128 + x_offset) * static_cast<uint32_t>(weight_sum));
}

/// The packed operand's element type: the other signedness of \p Left.
template <class Left>
using RightOf = std::conditional_t<std::is_same_v<Left, uint8_t>, int8_t, uint8_t>;

/// One product C = add + L · R over rows × cols of packed operands. Left is the element type
/// of L: uint8_t (L holds shifted activations, R weights) or int8_t (L holds weights, R
/// shifted activations); both are stored as bytes.
template <class Left>
struct GemmBlock {
  const uint8_t* left = nullptr;    ///< L packed by pack_rows, from its first row tile.
  const uint8_t* panels = nullptr;  ///< R packed by pack_panels, from its first panel.
  int64_t depth = 0;
  int64_t rows = 0;
  int64_t cols = 0;
  const int32_t* row_add = nullptr;  ///< rows values, or nullptr for none.
  const int32_t* col_add = nullptr;  ///< cols values, or nullptr for none.
  int32_t* c = nullptr;              ///< Row i at c + i · ldc.
  int64_t ldc = 0;
};

/// A micro-kernel: computes one row tile (`rows` rows) × `panels` · 16 columns in registers,
/// storing block.rows × block.cols of them (at most that). Panels past the last one that
/// block.cols reaches are not read (the kernel re-reads that one).
struct GemmKernel {
  int64_t rows = 1;
  int64_t panels = 1;
  void (*unsigned_left)(const GemmBlock<uint8_t>&) = nullptr;
  void (*signed_left)(const GemmBlock<int8_t>&) = nullptr;
};

/// The micro-kernel of \p isa.
const GemmKernel& gemm_kernel(Int8Isa isa);
/// The per-instruction-set micro-kernels (qgemm_avx2.cpp, qgemm_vnni.cpp).
const GemmKernel& avx2_gemm_kernel();
const GemmKernel& vnni_gemm_kernel();

/// Bytes of one packed row tile of \p kernel over \p depth.
inline int64_t row_tile_bytes(const GemmKernel& kernel, int64_t depth) { return depth_quads(depth) * kernel.rows * 4; }

/// Bytes of the packed form of a rows × depth left operand for \p kernel.
inline int64_t packed_rows_size(const GemmKernel& kernel, int64_t rows, int64_t depth) {
  return (rows + kernel.rows - 1) / kernel.rows * row_tile_bytes(kernel, depth);
}

/// Packs the rows × depth int8 matrix at \p src (row stride \p ld) into row tiles of
/// \p kernel at \p dst (packed_rows_size bytes); \p shift as for pack_panels.
void pack_rows(const GemmKernel& kernel, const int8_t* src, int64_t ld, int64_t rows, int64_t depth, bool shift,
               uint8_t* dst);

/// Computes \p block on the calling thread with \p kernel: panel groups in the outer loop
/// (they stay in L1 while the row tiles of L stream past), row tiles in the inner one.
template <class Left>
void gemm_int8(const GemmKernel& kernel, const GemmBlock<Left>& block);

/// How a product whose right operand is packed tile by tile (the im2col columns of a
/// convolution) is shared out: `outer` independent products of rows × cols, the columns cut
/// into tiles of `tile` (a whole number of micro-kernel panel groups, about kTileBytes of
/// packed bytes), and, when outer × tiles would leave threads idle, the rows of each tile cut
/// into `splits` ranges of whole row tiles. Work item i is tile i / splits, split i % splits;
/// the result never depends on the plan.
struct TilePlan {
  static constexpr int64_t kTileBytes = 128 * 1024;
  static constexpr int64_t kMinTile = 64;
  int64_t tile = 0;
  int64_t tiles = 0;
  int64_t splits = 1;
  int64_t row_tiles = 0;
  int64_t kernel_rows = 1;

  int64_t items(int64_t outer) const { return outer * tiles * splits; }
  /// Rows [first, last) of split \p split among \p rows; first is a row tile boundary.
  std::pair<int64_t, int64_t> split_rows(int64_t split, int64_t rows) const {
    return {std::min(rows, row_tiles * split / splits * kernel_rows),
            std::min(rows, row_tiles * (split + 1) / splits * kernel_rows)};
  }
};

TilePlan plan_tiles(const GemmKernel& kernel, int64_t depth, int64_t rows, int64_t cols, int64_t outer, int threads);

}  // namespace ptqc
