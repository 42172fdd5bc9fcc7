/// \file
/// Conv and ConvTranspose over NCHW-style tensors with 1 to 3 spatial dims.
///
/// Conv: y[n, m, o] = b[m] + Σ_{c in group(m), k} w[m, c, k] · x[n, c, o·stride - pad_begin + k·dilation],
/// taps in the padding reading zero. Three ways to compute it, chosen by shape:
///  - one input channel per group (depthwise), 1-D or 2-D: a vectorised sweep over the kernel
///    taps (conv_util.h);
///  - 1×1 kernel, stride 1, no padding (pointwise): Y_g = W_g · X_g, a plain GEMM;
///  - otherwise: Y_g = W_g · im2col(X_g), the columns built one tile of output
///    positions at a time so they stay in cache.
/// ConvTranspose is the adjoint: cols = W_gᵀ · X_g, then col2im scatters each
/// column entry to y[n, m, i·stride - pad_begin + k·dilation].

#include <algorithm>

#include "runtime/kernels/conv_util.h"
#include "runtime/kernels/gemm_util.h"
#include "runtime/kernels/kernel_util.h"
#include "runtime/op_registry.h"
#include "runtime/quant_traits.h"

namespace ptqc {

namespace {

/// Elements of im2col columns per tile: 512 KiB of float32, which stay in L2
/// between im2col writing them and the GEMM reading them.
constexpr int64_t kColumnTileElements = 128 * 1024;
/// Fewest output positions per tile, so that deep kernels (many input channels)
/// still give the GEMM wide tiles and re-pack the weights rarely.
constexpr int64_t kMinTilePositions = 512;

/// Operands of one Conv or ConvTranspose evaluation, shapes already checked.
template <class T>
struct ConvOperands {
  WindowGeometry window;
  int64_t batch = 0;
  int64_t in_channels = 0;
  int64_t out_channels = 0;
  int64_t groups = 1;
  const T* x = nullptr;
  const T* w = nullptr;
  const T* bias = nullptr;  ///< nullptr when absent.
  T* y = nullptr;

  int64_t in_per_group() const { return in_channels / groups; }
  int64_t out_per_group() const { return out_channels / groups; }
};

/// Reads group, checks W (and B) against X and fills the channel counts; the element
/// pointers are set by make_conv_output, once the output is declared.
/// W is M × C/G × kernel for Conv and C × M/G × kernel when \p transposed (ConvTranspose).
template <class T>
ConvOperands<T> conv_operands(const OpContext& ctx, bool transposed) {
  const Tensor& x = ctx.input(0);
  const Tensor& w = ctx.input(1);
  const Tensor* b = ctx.optional_input(2);
  if (w.dtype() != x.dtype() || (b && b->dtype() != x.dtype())) ctx.fail("inputs must share one element type");
  const ConvChannels c = conv_channels(ctx, x, w, transposed);
  ConvOperands<T> op;
  op.groups = c.groups;
  op.batch = c.batch;
  op.in_channels = c.in_channels;
  op.out_channels = c.out_channels;
  if (b && (b->rank() != 1 || b->dim(0) != op.out_channels)) {
    ctx.fail("bias must have shape " + std::to_string(op.out_channels) + ", got " + shape_string(b->shape()));
  }
  return op;
}

/// Declares the output (op.window gives its shape), then points op at the elements.
template <class T>
void make_conv_output(OpContext& ctx, ConvOperands<T>& op) {
  op.y = ctx.make_output(0, ctx.input(0).dtype(), op.window.output_shape(op.batch, op.out_channels)).template data<T>();
  op.x = ctx.input(0).data<T>();
  op.w = ctx.input(1).data<T>();
  op.bias = ctx.has_input(2) ? ctx.input(2).data<T>() : nullptr;
}

/// y[o] = bias + Σ_k w[k] · x[o·stride - pad_begin + k·dilation] over one 1-D/2-D output plane
/// with a single input channel (depthwise), taps in the padding reading zero; each output sums its
/// taps in kernel order. Runs as a window sweep over \p scratch (PhasePlanes::size() elements).
template <class T>
void depthwise_plane(const WindowGeometry& g, const PhasePlanes& pp, const T* x, const T* w, T bias, T* y,
                     T* scratch) {
  fill_phase_planes(g, pp, x, T{0}, scratch);
  T* grid = scratch + pp.grid_offset();
  sweep_windows(pp, scratch, bias, [w](auto sum, int64_t t, auto in) { return sum + w[t] * in; }, grid);
  for (int64_t oh = 0; oh < g.output[1]; ++oh) std::copy_n(grid + oh * pp.pitch, g.output[2], y + oh * g.output[2]);
}

/// Conv with one input channel per group and at most 2 spatial dims: output channel m reads
/// input channel m / (M/G).
template <class T>
void depthwise_conv(OpContext& ctx, const ConvOperands<T>& op) {
  const WindowGeometry& g = op.window;
  const int64_t multiplier = op.out_per_group();
  const PhasePlanes pp = phase_planes(g);
  parallel_for(ctx.threads(), op.batch * op.out_channels, [&](int64_t begin, int64_t end) {
    Tensor scratch(dtype_of<T>(), {pp.size()}, ctx.allocator());
    for (int64_t plane = begin; plane < end; ++plane) {
      const int64_t n = plane / op.out_channels, m = plane % op.out_channels;
      depthwise_plane(g, pp, op.x + (n * op.in_channels + m / multiplier) * g.input_size(),
                      op.w + m * g.kernel_size(), op.bias ? op.bias[m] : T{0}, op.y + plane * g.output_size(),
                      scratch.data<T>());
    }
  });
}

/// cols[r][p - first] for output positions p in [first, last) and rows r = (c, kd, kh, kw):
/// x[c, o·stride - pad_begin + k·dilation] with o the position's (od, oh, ow), 0 in the padding.
template <class T>
void im2col(const WindowGeometry& g, const T* x, int64_t channels, int64_t first, int64_t last, T* cols) {
  const int64_t width = last - first;
  const int64_t plane_positions = g.output[1] * g.output[2];
  T* row = cols;
  for (int64_t c = 0; c < channels; ++c) {
    const T* x_plane = x + c * g.input_size();
    for (int64_t kd = 0; kd < g.kernel[0]; ++kd) {
      for (int64_t kh = 0; kh < g.kernel[1]; ++kh) {
        for (int64_t kw = 0; kw < g.kernel[2]; ++kw, row += width) {
          const int64_t start = kw * g.dilation[2] - g.pad_begin[2];
          // Walk the tile one output row (fixed od, oh) at a time.
          for (int64_t p = first; p < last;) {
            const int64_t od = p / plane_positions, oh = p / g.output[2] % g.output[1], ow0 = p % g.output[2];
            const int64_t run = std::min(g.output[2] - ow0, last - p);
            T* dst = row + (p - first);
            p += run;
            const int64_t id = od * g.stride[0] - g.pad_begin[0] + kd * g.dilation[0];
            const int64_t ih = oh * g.stride[1] - g.pad_begin[1] + kh * g.dilation[1];
            if (id < 0 || id >= g.input[0] || ih < 0 || ih >= g.input[1]) {
              std::fill_n(dst, run, T{0});
              continue;
            }
            const T* x_row = x_plane + (id * g.input[1] + ih) * g.input[2];
            // dst[j] reads input column (ow0 + j)·stride + start; keep the in-bounds part, zero the rest.
            const int64_t first_column = ow0 * g.stride[2] + start;
            const TapRange in = taps_inside(first_column, g.stride[2], g.input[2], run);
            std::fill_n(dst, in.first, T{0});
            if (g.stride[2] == 1) {
              std::copy_n(x_row + first_column + in.first, in.last - in.first, dst + in.first);
            } else if (g.stride[2] == 2) {
              copy_every_second(x_row + first_column + 2 * in.first, in.last - in.first, dst + in.first);
            } else {
              for (int64_t j = in.first; j < in.last; ++j) dst[j] = x_row[first_column + j * g.stride[2]];
            }
            std::fill(dst + in.last, dst + run, T{0});
          }
        }
      }
    }
  }
}

/// True for a 1×1 kernel with stride 1 and no padding, where the input planes are the im2col matrix.
bool is_pointwise(const WindowGeometry& g) {
  for (int d = 0; d < kMaxSpatialDims; ++d) {
    if (g.kernel[d] != 1 || g.stride[d] != 1 || g.pad_begin[d] != 0 || g.pad_end[d] != 0) return false;
  }
  return true;
}

/// Conv as GEMMs: for each image n, group and tile [first, last) of output positions,
/// Y_g[:, first:last] = bias + W_g · cols, W_g the (M/G) × (C/G·kernel) weight block and cols
/// its im2col columns (the input planes themselves when pointwise). The tiles depend only
/// on the shapes, so the result does not depend on the thread count.
template <class T>
void gemm_conv(OpContext& ctx, const ConvOperands<T>& op) {
  const WindowGeometry& g = op.window;
  const int64_t depth = op.in_per_group() * g.kernel_size();
  const int64_t positions = g.output_size();
  const int64_t tile_width = std::max(kMinTilePositions, kColumnTileElements / std::max<int64_t>(depth, 1));
  const int64_t tiles = (positions + tile_width - 1) / tile_width;
  const bool pointwise = is_pointwise(g);
  const int64_t m = op.out_per_group();
  parallel_for(ctx.threads(), op.batch * op.groups * tiles, [&](int64_t begin, int64_t end) {
    Tensor scratch = pointwise ? Tensor() : Tensor(dtype_of<T>(), {depth * tile_width}, ctx.allocator());
    for (int64_t item = begin; item < end; ++item) {
      const int64_t n = item / (op.groups * tiles), group = item / tiles % op.groups, t = item % tiles;
      // Even split of the positions into tiles (bounds depend on the shape only).
      const int64_t first = positions * t / tiles, last = positions * (t + 1) / tiles;
      const T* x = op.x + (n * op.in_channels + group * op.in_per_group()) * g.input_size();
      T* y = op.y + (n * op.out_channels + group * m) * positions + first;
      GemmOperand<T> cols{x + first, positions, false};
      if (!pointwise) {
        im2col(g, x, op.in_per_group(), first, last, scratch.data<T>());
        cols = {scratch.data<T>(), last - first, false};
      }
      if (op.bias) {
        for (int64_t r = 0; r < m; ++r) std::fill_n(y + r * positions, last - first, op.bias[group * m + r]);
      }
      gemm<T>(m, last - first, depth, T{1}, {op.w + group * m * depth, depth, false}, cols, y, positions,
              op.bias != nullptr, 1);
    }
  });
}

template <class T>
void conv_typed(OpContext& ctx) {
  ConvOperands<T> op = conv_operands<T>(ctx, false);
  const Shape& x_shape = ctx.input(0).shape();
  const SpatialDims kernel = kernel_from_weights(ctx, ctx.input(1).shape(), spatial_rank(ctx, x_shape));
  op.window = forward_window(ctx, x_shape, kernel, false);
  make_conv_output(ctx, op);
  if (op.in_per_group() == 1 && is_planar(op.window)) {
    depthwise_conv(ctx, op);
  } else {
    gemm_conv(ctx, op);
  }
}

/// Conv (opset 1/11): N-D convolution with groups, strides, dilations and padding.
void conv(OpContext& ctx) {
  dispatch_float(ctx, ctx.input(0).dtype(), [&](auto t) { conv_typed<decltype(t)>(ctx); });
}

/// ConvTranspose geometry: input = X's spatial dims, output = Y's. Per dim, with
/// e = (kernel - 1)·dilation + 1 and total padding P = stride·(in - 1) + output_padding + e - out:
/// out = output_shape when given, in·stride under SAME_*, else stride·(in - 1) + output_padding + e
/// - pad_begin - pad_end (pads from the node, 0 under VALID). When out is given or SAME, P is split
/// with the odd unit at the end for SAME_UPPER and at the beginning otherwise.
WindowGeometry transpose_window(const OpContext& ctx, const Shape& x, const SpatialDims& kernel) {
  WindowGeometry g;
  g.rank = spatial_rank(ctx, x);
  const size_t lead = static_cast<size_t>(kMaxSpatialDims - g.rank);
  g.kernel = kernel;
  g.stride = spatial_attribute(ctx, "strides", g.rank);
  g.dilation = spatial_attribute(ctx, "dilations", g.rank);
  for (int64_t i = 0; i < g.rank; ++i) g.input[lead + i] = x[static_cast<size_t>(2 + i)];
  const std::string auto_pad = ctx.node().attr_string("auto_pad", "NOTSET");
  if (auto_pad != "NOTSET" && auto_pad != "VALID" && auto_pad != "SAME_UPPER" && auto_pad != "SAME_LOWER") {
    ctx.fail("unknown auto_pad '" + auto_pad + "'");
  }
  const auto per_dim = [&](const std::string& key, size_t count) {
    std::vector<int64_t> v = ctx.node().attr_ints(key, std::vector<int64_t>(count, 0));
    if (v.size() != count) ctx.fail(key + " must have " + std::to_string(count) + " values");
    if (std::any_of(v.begin(), v.end(), [](int64_t e) { return e < 0; })) ctx.fail(key + " must be >= 0");
    return v;
  };
  const size_t rank = static_cast<size_t>(g.rank);
  const std::vector<int64_t> output_padding = per_dim("output_padding", rank);
  const std::vector<int64_t> pads = auto_pad == "NOTSET" ? per_dim("pads", 2 * rank) : std::vector<int64_t>(2 * rank, 0);
  std::vector<int64_t> output_shape = ctx.node().attr_ints("output_shape");
  if (output_shape.size() == rank + 2) output_shape.erase(output_shape.begin(), output_shape.begin() + 2);
  if (!output_shape.empty() && output_shape.size() != rank) ctx.fail("output_shape must have one value per spatial dim");

  for (size_t i = 0; i < rank; ++i) {
    const size_t d = lead + i;
    const int64_t full = g.stride[d] * (g.input[d] - 1) + output_padding[i] + g.extent(static_cast<int>(d));
    if (output_padding[i] > kMaxPad || pads[i] > kMaxPad || pads[rank + i] > kMaxPad) {
      ctx.fail("pads and output_padding must be at most " + std::to_string(kMaxPad));
    }
    if (output_shape.empty() && (auto_pad == "NOTSET" || auto_pad == "VALID")) {
      g.pad_begin[d] = pads[i];
      g.pad_end[d] = pads[rank + i];
      g.output[d] = full - pads[i] - pads[rank + i];
    } else {
      g.output[d] = output_shape.empty() ? g.input[d] * g.stride[d] : output_shape[i];
      const int64_t total = std::max<int64_t>(0, full - g.output[d]);
      g.pad_begin[d] = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      g.pad_end[d] = total - g.pad_begin[d];
    }
    if (g.output[d] < 1) ctx.fail("the output would be empty (pads too large for input " + shape_string(x) + ")");
  }
  return g;
}

template <class T>
void conv_transpose_typed(OpContext& ctx) {
  ConvOperands<T> op = conv_operands<T>(ctx, true);
  const Shape& x_shape = ctx.input(0).shape();
  const SpatialDims kernel = kernel_from_weights(ctx, ctx.input(1).shape(), spatial_rank(ctx, x_shape));
  op.window = transpose_window(ctx, x_shape, kernel);
  const WindowGeometry& g = op.window;
  make_conv_output(ctx, op);

  const int64_t rows = op.out_per_group() * g.kernel_size();  // cols rows: (m, kd, kh, kw) of one group
  Tensor cols(dtype_of<T>(), {rows * g.input_size()}, ctx.allocator());
  for (int64_t n = 0; n < op.batch; ++n) {
    for (int64_t group = 0; group < op.groups; ++group) {
      const int64_t c0 = group * op.in_per_group(), m0 = group * op.out_per_group();
      // cols = W_gᵀ · X_g with W_g the (C/G) × (M/G·kernel) slice of W.
      gemm<T>(rows, g.input_size(), op.in_per_group(), T{1}, {op.w + c0 * rows, rows, true},
              {op.x + (n * op.in_channels + c0) * g.input_size(), g.input_size(), false}, cols.data<T>(),
              g.input_size(), false, ctx.threads());
      parallel_for(ctx.threads(), op.out_per_group(), [&](int64_t begin, int64_t end) {
        for (int64_t m = begin; m < end; ++m) {
          T* y = op.y + (n * op.out_channels + m0 + m) * g.output_size();
          std::fill_n(y, g.output_size(), op.bias ? op.bias[m0 + m] : T{0});
          col2im_plane(g, cols.data<T>() + m * g.kernel_size() * g.input_size(), y, [](T& out, T v) { out += v; });
        }
      });
    }
  }
}

/// ConvTranspose (opset 1/11): the gradient of Conv with respect to its input.
void conv_transpose(OpContext& ctx) {
  dispatch_float(ctx, ctx.input(0).dtype(), [&](auto t) { conv_transpose_typed<decltype(t)>(ctx); });
}

}  // namespace

void register_conv_ops(OpRegistry& registry) {
  registry.add("Conv", &conv, "", OpTraits{.quant = &kConvQuantTraits});
  registry.add("ConvTranspose", &conv_transpose, "", OpTraits{.quant = &kConvTransposeQuantTraits});
}

}  // namespace ptqc
