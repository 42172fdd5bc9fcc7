#pragma once
/// \file
/// Sliding-window geometry shared by Conv, ConvTranspose and the pooling ops:
/// the spatial attributes (kernel_shape, strides, dilations, pads, auto_pad)
/// read and checked once, and the output size they imply.
///
/// Ops have 1 to 3 spatial dims; the geometry always holds three (depth,
/// height, width), the op's dims filling the trailing slots and the leading
/// slots being size 1 with kernel 1, stride 1, dilation 1 and no padding, so
/// one 3-D loop nest serves 1-D, 2-D and 3-D ops.

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "runtime/op_context.h"

namespace ptqc {

constexpr int kMaxSpatialDims = 3;
/// Per-spatial-dim values, depth-height-width order.
using SpatialDims = std::array<int64_t, kMaxSpatialDims>;

struct WindowGeometry {
  int64_t rank = 0;  ///< Spatial dims of the op (1..3).
  SpatialDims input{1, 1, 1};
  SpatialDims output{1, 1, 1};
  SpatialDims kernel{1, 1, 1};
  SpatialDims stride{1, 1, 1};
  SpatialDims dilation{1, 1, 1};
  SpatialDims pad_begin{0, 0, 0};
  SpatialDims pad_end{0, 0, 0};

  int64_t input_size() const { return input[0] * input[1] * input[2]; }
  int64_t output_size() const { return output[0] * output[1] * output[2]; }
  int64_t kernel_size() const { return kernel[0] * kernel[1] * kernel[2]; }
  /// Window extent of dim \p d: (kernel - 1)·dilation + 1.
  int64_t extent(int d) const { return (kernel[d] - 1) * dilation[d] + 1; }
  /// batch × channels × the op's spatial output dims.
  Shape output_shape(int64_t batch, int64_t channels) const;
};

/// The taps j in [0, count) whose position start + j·step (step >= 1) lies in
/// [0, limit), as a half-open range [first, last) (empty when first == last).
struct TapRange {
  int64_t first;
  int64_t last;
};
inline TapRange taps_inside(int64_t start, int64_t step, int64_t limit, int64_t count) {
  const int64_t first = start >= 0 ? 0 : (-start + step - 1) / step;
  const int64_t last = start >= limit ? 0 : (limit - start + step - 1) / step;
  const int64_t lo = std::min(first, count);
  return {lo, std::clamp(last, lo, count)};
}

/// Spatial dims of \p input (N × C × spatial): 1..3, else the node fails or is unsupported.
int64_t spatial_rank(const OpContext& ctx, const Shape& input);

/// The per-dim ints attribute \p key (rank values, each >= 1), placed in the trailing
/// slots; absent = 1 everywhere.
SpatialDims spatial_attribute(const OpContext& ctx, const std::string& key, int64_t rank);

/// Geometry of a forward window (Conv, pools) over \p input with the given kernel:
/// strides, dilations, pads and auto_pad from the node. Output size per dim, with
/// e = (kernel - 1)·dilation + 1:
///   NOTSET: floor((in + pad_begin + pad_end - e) / stride) + 1, or with \p ceil_mode
///           the ceiling, less one when that last window would start past in + pad_begin;
///   VALID:  ceil((in - e + 1) / stride), no padding;
///   SAME_UPPER / SAME_LOWER: ceil(in / stride), total padding
///           max(0, (out - 1)·stride + e - in) split evenly, the odd unit at the end
///           (UPPER) or at the beginning (LOWER).
/// Fails the node when a dim would be empty.
WindowGeometry forward_window(const OpContext& ctx, const Shape& input, const SpatialDims& kernel, bool ceil_mode);

}  // namespace ptqc
