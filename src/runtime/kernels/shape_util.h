#pragma once
/// \file
/// Byte-moving helpers of the data-movement kernels (shape.cpp, index.cpp).
/// These ops never look at element values, so they work on every element type
/// by moving dtype_size() bytes at a time: one code path for float32,
/// float16/bfloat16, the integer types and bool.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "runtime/kernels/kernel_util.h"

namespace ptqc {

/// Calls fn(U{}) with U the unsigned integer type of \p bytes width (1, 2, 4 or 8),
/// so that element copies compile to single loads and stores.
template <class Fn>
void dispatch_element_width(size_t bytes, Fn&& fn) {
  switch (bytes) {
    case 1: fn(uint8_t{}); return;
    case 2: fn(uint16_t{}); return;
    case 4: fn(uint32_t{}); return;
    default: fn(uint64_t{}); return;
  }
}

/// Copies of fewer elements than this stay on one thread (the fork costs more).
inline constexpr int64_t kParallelCopyElements = int64_t{1} << 16;

/// Threads worth using for a copy of \p elements elements.
inline int copy_threads(const OpContext& ctx, int64_t elements) {
  return elements >= kParallelCopyElements ? ctx.threads() : 1;
}

/// Writes \p count copies of the element at \p value (\p width bytes) to \p dst.
inline void fill_elements(std::byte* dst, const std::byte* value, size_t width, int64_t count) {
  dispatch_element_width(width, [&](auto u) {
    using U = decltype(u);
    U v;
    std::memcpy(&v, value, sizeof(U));
    std::fill_n(reinterpret_cast<U*>(dst), count, v);
  });
}

/// A strided gather: dst[i] = src[offset + sum_d index_d(i) * src_strides[d]], where
/// index(i) is the row-major multi-index of i in \p dims and dst is contiguous.
/// Transpose, Slice, Expand, Tile, DepthToSpace and SpaceToDepth are all one such copy.
struct StridedCopy {
  Shape dims;
  std::vector<int64_t> src_strides;  ///< Elements; 0 repeats (broadcast), negative walks backwards.
  int64_t src_offset = 0;            ///< Element offset of dst[0] in src.
};

/// Calls fn(i, src_offset, dst_offset) for the linear indices i in [begin, end) of the
/// row-major walk over \p dims, advancing both offsets like an odometer.
template <class Fn>
void for_each_offset(const Shape& dims, const std::vector<int64_t>& src_strides,
                     const std::vector<int64_t>& dst_strides, int64_t begin, int64_t end, Fn&& fn) {
  std::vector<int64_t> idx(dims.size(), 0);
  int64_t src = 0, dst = 0;
  for (size_t d = dims.size(), rest = static_cast<size_t>(begin); d-- > 0;) {
    idx[d] = static_cast<int64_t>(rest % static_cast<size_t>(dims[d]));
    rest /= static_cast<size_t>(dims[d]);
    src += idx[d] * src_strides[d];
    dst += idx[d] * dst_strides[d];
  }
  for (int64_t i = begin; i < end; ++i) {
    fn(i, src, dst);
    for (size_t d = dims.size(); d-- > 0;) {
      ++idx[d];
      src += src_strides[d];
      dst += dst_strides[d];
      if (idx[d] < dims[d]) break;
      src -= src_strides[d] * dims[d];
      dst -= dst_strides[d] * dims[d];
      idx[d] = 0;
    }
  }
}

namespace strided_copy_detail {

/// Drops size-1 dims and merges neighbours d, d+1 that src walks contiguously
/// (src_strides[d] == src_strides[d+1] * dims[d+1]); the copy stays the same.
inline StridedCopy coalesced(const StridedCopy& copy) {
  StridedCopy out{{}, {}, copy.src_offset};
  for (size_t d = 0; d < copy.dims.size(); ++d) {
    if (copy.dims[d] == 1) continue;
    if (!out.dims.empty() && out.src_strides.back() == copy.src_strides[d] * copy.dims[d]) {
      out.dims.back() *= copy.dims[d];
      out.src_strides.back() = copy.src_strides[d];
    } else {
      out.dims.push_back(copy.dims[d]);
      out.src_strides.push_back(copy.src_strides[d]);
    }
  }
  if (out.dims.empty()) {
    out.dims.push_back(1);
    out.src_strides.push_back(1);
  }
  return out;
}

inline constexpr int64_t kTile = 32;

/// The copy when src walks the innermost dst dim ("cols") with a stride != 1 but another
/// dim \p unit ("rows") with stride 1: a batched 2-D transpose, done in kTile x kTile
/// blocks so that both the reads and the writes stay within a few cache lines.
template <class U>
void tiled_transpose(const StridedCopy& c, size_t unit, const U* src, U* dst, int threads) {
  const size_t last = c.dims.size() - 1;
  const std::vector<int64_t> dst_strides = strides_of(c.dims);
  Shape outer_dims;
  std::vector<int64_t> outer_src, outer_dst;
  for (size_t d = 0; d < last; ++d) {
    if (d == unit) continue;
    outer_dims.push_back(c.dims[d]);
    outer_src.push_back(c.src_strides[d]);
    outer_dst.push_back(dst_strides[d]);
  }
  // The row blocks are the innermost outer dim, so that a single 2-D transpose still splits over threads.
  const int64_t rows = c.dims[unit], cols = c.dims[last];
  const int64_t row_blocks = (rows + kTile - 1) / kTile;
  outer_dims.push_back(row_blocks);
  outer_src.push_back(kTile);
  outer_dst.push_back(kTile * dst_strides[unit]);
  const int64_t col_stride = c.src_strides[last], row_stride = dst_strides[unit];
  parallel_for(threads, shape_numel(outer_dims), [&](int64_t begin, int64_t end) {
    for_each_offset(outer_dims, outer_src, outer_dst, begin, end, [&](int64_t i, int64_t s, int64_t o) {
      const int64_t block_rows = std::min(kTile, rows - (i % row_blocks) * kTile);
      for (int64_t c0 = 0; c0 < cols; c0 += kTile) {
        const int64_t block_cols = std::min(kTile, cols - c0);
        for (int64_t r = 0; r < block_rows; ++r) {
          const U* in = src + c.src_offset + s + r + c0 * col_stride;
          U* out = dst + o + r * row_stride + c0;
          for (int64_t j = 0; j < block_cols; ++j) out[j] = in[j * col_stride];
        }
      }
    });
  });
}

/// The general copy: one contiguous dst row (the innermost dim) per step.
template <class U>
void row_copy(const StridedCopy& c, const U* src, U* dst, int threads) {
  const size_t last = c.dims.size() - 1;
  const std::vector<int64_t> dst_strides = strides_of(c.dims);
  const Shape outer_dims(c.dims.begin(), c.dims.begin() + last);
  const std::vector<int64_t> outer_src(c.src_strides.begin(), c.src_strides.begin() + last);
  const std::vector<int64_t> outer_dst(dst_strides.begin(), dst_strides.begin() + last);
  const int64_t n = c.dims[last], stride = c.src_strides[last];
  parallel_for(threads, shape_numel(outer_dims), [&](int64_t begin, int64_t end) {
    for_each_offset(outer_dims, outer_src, outer_dst, begin, end, [&](int64_t, int64_t s, int64_t o) {
      const U* in = src + c.src_offset + s;
      U* out = dst + o;
      if (stride == 1) {
        std::memcpy(out, in, static_cast<size_t>(n) * sizeof(U));
      } else {
        for (int64_t j = 0; j < n; ++j) out[j] = in[j * stride];
      }
    });
  });
}

}  // namespace strided_copy_detail

/// Runs \p copy from \p src into \p dst (same dtype; dst.numel() == shape_numel(copy.dims)).
/// \pre every element the copy reads lies inside src.
inline void strided_copy(const StridedCopy& copy, const Tensor& src, Tensor& dst, int threads) {
  using namespace strided_copy_detail;
  if (dst.numel() == 0) return;
  const StridedCopy c = coalesced(copy);
  const size_t last = c.dims.size() - 1;
  size_t unit = last;
  for (size_t d = 0; d < last; ++d) {
    if (c.src_strides[d] == 1) unit = d;
  }
  const bool tiled = c.src_strides[last] != 1 && unit != last && c.dims[unit] >= 8 && c.dims[last] >= 8;
  dispatch_element_width(dtype_size(src.dtype()), [&](auto u) {
    using U = decltype(u);
    const U* in = reinterpret_cast<const U*>(src.raw());
    U* out = reinterpret_cast<U*>(dst.raw());
    if (tiled) {
      tiled_transpose(c, unit, in, out, threads);
    } else {
      row_copy(c, in, out, threads);
    }
  });
}

/// Reads input \p i as an int64 list, or returns an empty list when the input is absent.
inline std::vector<int64_t> optional_input_as_int64(const OpContext& ctx, size_t i) {
  return ctx.has_input(i) ? input_as_int64(ctx, i) : std::vector<int64_t>{};
}

/// \p axis of a tensor of rank \p rank >= 1 mapped from [-rank, rank) to [0, rank);
/// anything else (a scalar has no axis) fails the node.
inline int64_t checked_axis(const OpContext& ctx, int64_t axis, int64_t rank) {
  if (rank == 0) ctx.fail("axis " + std::to_string(axis) + " of a scalar");
  return normalize_axis(ctx, axis, rank);
}

/// Applies checked_axis to every axis in \p axes; duplicates fail the node.
inline std::vector<int64_t> normalize_axes(const OpContext& ctx, const std::vector<int64_t>& axes, int64_t rank) {
  std::vector<int64_t> out;
  for (int64_t axis : axes) {
    const int64_t a = checked_axis(ctx, axis, rank);
    if (std::find(out.begin(), out.end(), a) != out.end()) ctx.fail("axis " + std::to_string(axis) + " is repeated");
    out.push_back(a);
  }
  return out;
}

}  // namespace ptqc
