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
#include <cstring>
#include <vector>

#include "runtime/op_context.h"

namespace ptqc {

constexpr int kMaxSpatialDims = 3;
/// The largest pad (and output_padding) a window takes: far beyond any real network, and small
/// enough that the window arithmetic on dims below 2^40 stays in 64 bits.
constexpr int64_t kMaxPad = int64_t{1} << 31;
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

/// Kernel spatial dims of a convolution: the trailing dims of its weights \p w (rank + 2 dims),
/// which the kernel_shape attribute, when given, must repeat.
SpatialDims kernel_from_weights(const OpContext& ctx, const Shape& w, int64_t rank);

/// Geometry of a forward window (Conv, pools) over \p input with the given kernel:
/// strides, dilations, pads and auto_pad from the node. Output size per dim, with
/// e = (kernel - 1)·dilation + 1:
///   NOTSET: floor((in + pad_begin + pad_end - e) / stride) + 1, or with \p ceil_mode
///           the ceiling, less one when that last window would start in the end padding
///           ((out - 1)·stride >= in + pad_begin);
///   VALID:  ceil((in - e + 1) / stride), no padding;
///   SAME_UPPER / SAME_LOWER: ceil(in / stride), total padding
///           max(0, (out - 1)·stride + e - in) split evenly, the odd unit at the end
///           (UPPER) or at the beginning (LOWER).
/// Fails the node when a dim would be empty.
WindowGeometry forward_window(const OpContext& ctx, const Shape& input, const SpatialDims& kernel, bool ceil_mode);

/// True for at most 2 spatial dims (the depth slot unused), where window sweeps apply.
inline bool is_planar(const WindowGeometry& g) { return g.input[0] == 1 && g.output[0] == 1 && g.kernel[0] == 1; }

/// Window sweeps compute kBlock vectors of kLanes outputs together (one AVX-512 register
/// of float32 each): enough independent accumulators to hide the FMA latency.
constexpr int64_t kLanes = 16;
constexpr int64_t kBlock = 4;

/// Layout of the scratch of a window sweep over one 1-D/2-D plane. The padded input is dealt
/// into sh × sw phase planes (s = stride), padded element (r·sh + a, c·sw + b) going to row r,
/// column c of plane (a, b). Tap (kh, kw) of output (oh, ow) reads padded (oh·sh + kh·dh,
/// ow·sw + kw·dw), that is plane ((kh·dh) mod sh, (kw·dw) mod sw) at (oh + (kh·dh) div sh,
/// ow + (kw·dw) div sw). On the grid q = oh·pitch + ow every tap thus reads
/// planes[q + tap offset]: one contiguous sweep, free of bounds checks. Grid columns ow >= OW
/// combine wrapped-around taps and are dropped.
struct PhasePlanes {
  int64_t rows = 0;          ///< OH + (extent_h - 1) div sh: rows of a plane the taps read.
  int64_t pitch = 0;         ///< OW + (extent_w - 1) div sw: columns of a plane and of the grid.
  int64_t phases = 1;        ///< sh·sw planes.
  int64_t sweep = 0;         ///< (OH - 1)·pitch + OW: grid entries from the first output to the last.
  int64_t padded_sweep = 0;  ///< sweep rounded up to whole blocks of kBlock·kLanes.
  std::vector<int64_t> tap_offsets;  ///< Per tap (kh, kw) in kernel order: where it reads for q = 0.

  int64_t planes_size() const { return phases * rows * pitch; }
  /// Where the grid starts in the scratch: after the planes and the slack the last block reads.
  int64_t grid_offset() const { return planes_size() + kBlock * kLanes; }
  /// Scratch elements: planes, slack and grid.
  int64_t size() const { return grid_offset() + padded_sweep; }
};

/// dst[i] = src[2i] for i < n: the stride-2 rows of im2col and of phase planes. The constant
/// stride lets the compiler vectorise the gather with permutes.
template <class T>
void copy_every_second(const T* src, int64_t n, T* dst) {
  for (int64_t i = 0; i < n; ++i) dst[i] = src[2 * i];
}

/// The PhasePlanes layout of \p g. \pre is_planar(g).
PhasePlanes phase_planes(const WindowGeometry& g);

/// Deals the input plane \p x, padded with \p pad, into the phase planes at \p scratch
/// (and zeroes the slack after them).
template <class T>
void fill_phase_planes(const WindowGeometry& g, const PhasePlanes& pp, const T* x, T pad, T* scratch) {
  const int64_t sh = g.stride[1], sw = g.stride[2];
  for (int64_t a = 0; a < sh; ++a) {
    for (int64_t b = 0; b < sw; ++b) {
      const TapRange columns = taps_inside(b - g.pad_begin[2], sw, g.input[2], pp.pitch);
      for (int64_t r = 0; r < pp.rows; ++r) {
        T* row = scratch + ((a * sw + b) * pp.rows + r) * pp.pitch;
        const int64_t ih = r * sh + a - g.pad_begin[1];
        if (ih < 0 || ih >= g.input[1]) {
          std::fill_n(row, pp.pitch, pad);
          continue;
        }
        const T* x_row = x + ih * g.input[2] + columns.first * sw + b - g.pad_begin[2];
        const int64_t count = columns.last - columns.first;
        std::fill_n(row, columns.first, pad);
        if (sw == 1) {
          std::copy_n(x_row, count, row + columns.first);
        } else if (sw == 2) {
          copy_every_second(x_row, count, row + columns.first);
        } else {
          for (int64_t c = 0; c < count; ++c) row[columns.first + c] = x_row[c * sw];
        }
        std::fill(row + columns.last, row + pp.pitch, pad);
      }
    }
  }
  std::fill_n(scratch + pp.planes_size(), kBlock * kLanes, T{0});
}

/// grid[q] = step(... step(step(init, 0, tap_0), 1, tap_1) ..., taps - 1, tap_last) for every grid
/// entry q, tap_t = planes[q + tap_offsets[t]]: the taps of each output folded in kernel order.
/// \p step is called on vectors of kLanes entries (GCC vector extensions) as step(acc, t, in).
template <class T, class Step>
void sweep_windows(const PhasePlanes& pp, const T* planes, T init, Step step, T* grid) {
  typedef T Lanes __attribute__((vector_size(kLanes * sizeof(T))));
  const int64_t taps = static_cast<int64_t>(pp.tap_offsets.size());
  for (int64_t q = 0; q < pp.sweep; q += kBlock * kLanes) {
    Lanes acc[kBlock];
    for (int64_t b = 0; b < kBlock; ++b) acc[b] = Lanes{} + init;
    for (int64_t t = 0; t < taps; ++t) {
      const T* src = planes + q + pp.tap_offsets[static_cast<size_t>(t)];
      for (int64_t b = 0; b < kBlock; ++b) {
        Lanes in;
        std::memcpy(&in, src + b * kLanes, sizeof(Lanes));
        acc[b] = step(acc[b], t, in);
      }
    }
    std::memcpy(grid + q, acc, sizeof(acc));
  }
}

/// The window of a global pool: the whole plane, one output position.
WindowGeometry global_window(const OpContext& ctx, const Shape& input);

/// col2im for one group of a transposed convolution: add(y[o], cols[k][i]) for every
/// input position i and tap k = (kd, kh, kw) with o = i·stride - pad_begin + k·dilation
/// inside y; \p cols holds one row of input_size() values per tap. \p add is the
/// accumulation (float +=, or int32 wrapping addition).
template <class T, class Add>
void col2im_plane(const WindowGeometry& g, const T* cols, T* y, Add add) {
  const int64_t in_size = g.input_size();
  for (int64_t kd = 0; kd < g.kernel[0]; ++kd) {
    for (int64_t kh = 0; kh < g.kernel[1]; ++kh) {
      for (int64_t kw = 0; kw < g.kernel[2]; ++kw, cols += in_size) {
        const int64_t start = kw * g.dilation[2] - g.pad_begin[2];
        const TapRange iw = taps_inside(start, g.stride[2], g.output[2], g.input[2]);
        for (int64_t id = 0; id < g.input[0]; ++id) {
          const int64_t od = id * g.stride[0] - g.pad_begin[0] + kd * g.dilation[0];
          if (od < 0 || od >= g.output[0]) continue;
          for (int64_t ih = 0; ih < g.input[1]; ++ih) {
            const int64_t oh = ih * g.stride[1] - g.pad_begin[1] + kh * g.dilation[1];
            if (oh < 0 || oh >= g.output[1]) continue;
            const T* src = cols + (id * g.input[1] + ih) * g.input[2];
            T* y_row = y + (od * g.output[1] + oh) * g.output[2];
            for (int64_t j = iw.first; j < iw.last; ++j) add(y_row[j * g.stride[2] + start], src[j]);
          }
        }
      }
    }
  }
}

/// The channel layout of a convolution: W is M × C/group × kernel (Conv) or
/// C × M/group × kernel (\p transposed, ConvTranspose).
struct ConvChannels {
  int64_t groups = 1;
  int64_t batch = 0;
  int64_t in_channels = 0;
  int64_t out_channels = 0;
};

/// Reads group and checks X (N × C × spatial) against W: ranks, and channel counts that
/// divide by group. Malformed nodes fail with the shapes in the message.
ConvChannels conv_channels(const OpContext& ctx, const Tensor& x, const Tensor& w, bool transposed);

}  // namespace ptqc
