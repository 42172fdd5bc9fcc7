#include "runtime/kernels/conv_util.h"

#include <algorithm>
#include <string>

namespace ptqc {

namespace {

/// Slot of the op's spatial dim \p i in the three-slot arrays.
size_t slot(int64_t rank, int64_t i) { return static_cast<size_t>(kMaxSpatialDims - rank + i); }

/// floor(a / b) for b > 0 (a may be negative).
int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

/// The output size of one NOTSET dim; see forward_window.
int64_t explicit_output(int64_t in, int64_t extent, int64_t stride, int64_t pad_begin, int64_t pad_end,
                        bool ceil_mode) {
  const int64_t span = in + pad_begin + pad_end - extent;
  int64_t out = (ceil_mode ? -floor_div(-span, stride) : floor_div(span, stride)) + 1;
  // A ceil-mode window must start inside the input or its leading padding.
  if (ceil_mode && out > 0 && (out - 1) * stride >= in + pad_begin) --out;
  return out;
}

}  // namespace

Shape WindowGeometry::output_shape(int64_t batch, int64_t channels) const {
  Shape shape{batch, channels};
  for (int64_t i = 0; i < rank; ++i) shape.push_back(output[slot(rank, i)]);
  return shape;
}

int64_t spatial_rank(const OpContext& ctx, const Shape& input) {
  const int64_t rank = static_cast<int64_t>(input.size()) - 2;
  if (rank < 1) ctx.fail("input must have rank >= 3 (N x C x spatial), got " + shape_string(input));
  if (rank > kMaxSpatialDims) ctx.unsupported(std::to_string(rank) + "-D spatial input");
  return rank;
}

SpatialDims spatial_attribute(const OpContext& ctx, const std::string& key, int64_t rank) {
  SpatialDims dims{1, 1, 1};
  // Far beyond any real network; with dims below 2^40 the window arithmetic stays in 64 bits.
  constexpr int64_t kMaxValue = int64_t{1} << 20;
  const std::vector<int64_t> values = ctx.node().attr_ints(key, std::vector<int64_t>(static_cast<size_t>(rank), 1));
  if (static_cast<int64_t>(values.size()) != rank) {
    ctx.fail(key + " must have " + std::to_string(rank) + " values, got " + std::to_string(values.size()));
  }
  for (int64_t i = 0; i < rank; ++i) {
    const int64_t v = values[static_cast<size_t>(i)];
    if (v < 1 || v > kMaxValue) {
      ctx.fail(key + " values must be in [1, " + std::to_string(kMaxValue) + "], got " + std::to_string(v));
    }
    dims[slot(rank, i)] = v;
  }
  return dims;
}

SpatialDims kernel_from_weights(const OpContext& ctx, const Shape& w, int64_t rank) {
  SpatialDims kernel{1, 1, 1};
  const std::vector<int64_t> given = ctx.node().attr_ints("kernel_shape");
  for (int64_t i = 0; i < rank; ++i) {
    const int64_t k = w[static_cast<size_t>(2 + i)];
    if (k < 1) ctx.fail("weights " + shape_string(w) + " have an empty kernel");
    if (!given.empty() && (static_cast<int64_t>(given.size()) != rank || given[static_cast<size_t>(i)] != k)) {
      ctx.fail("kernel_shape does not match the weights " + shape_string(w));
    }
    kernel[static_cast<size_t>(kMaxSpatialDims - rank + i)] = k;
  }
  return kernel;
}

WindowGeometry forward_window(const OpContext& ctx, const Shape& input, const SpatialDims& kernel, bool ceil_mode) {
  WindowGeometry g;
  g.rank = spatial_rank(ctx, input);
  g.kernel = kernel;
  g.stride = spatial_attribute(ctx, "strides", g.rank);
  g.dilation = spatial_attribute(ctx, "dilations", g.rank);
  for (int64_t i = 0; i < g.rank; ++i) g.input[slot(g.rank, i)] = input[static_cast<size_t>(2 + i)];

  const std::string auto_pad = ctx.node().attr_string("auto_pad", "NOTSET");
  const std::vector<int64_t> pads = ctx.node().attr_ints("pads", std::vector<int64_t>(2 * g.rank, 0));
  if (auto_pad == "NOTSET") {
    if (static_cast<int64_t>(pads.size()) != 2 * g.rank) {
      ctx.fail("pads must have " + std::to_string(2 * g.rank) + " values, got " + std::to_string(pads.size()));
    }
    for (int64_t i = 0; i < g.rank; ++i) {
      g.pad_begin[slot(g.rank, i)] = pads[static_cast<size_t>(i)];
      g.pad_end[slot(g.rank, i)] = pads[static_cast<size_t>(g.rank + i)];
    }
    if (std::any_of(pads.begin(), pads.end(), [](int64_t p) { return p < 0 || p > kMaxPad; })) {
      ctx.fail("pads must be in [0, " + std::to_string(kMaxPad) + "]");
    }
  } else if (auto_pad != "VALID" && auto_pad != "SAME_UPPER" && auto_pad != "SAME_LOWER") {
    ctx.fail("unknown auto_pad '" + auto_pad + "'");
  }

  for (int d = 0; d < kMaxSpatialDims; ++d) {
    const int64_t in = g.input[d], s = g.stride[d], e = g.extent(d);
    if (auto_pad == "NOTSET") {
      g.output[d] = explicit_output(in, e, s, g.pad_begin[d], g.pad_end[d], ceil_mode);
    } else if (auto_pad == "VALID") {
      g.output[d] = in >= e ? (in - e) / s + 1 : 0;
    } else {
      g.output[d] = (in + s - 1) / s;
      const int64_t total = std::max<int64_t>(0, (g.output[d] - 1) * s + e - in);
      const int64_t small_half = total / 2;
      g.pad_begin[d] = auto_pad == "SAME_UPPER" ? small_half : total - small_half;
      g.pad_end[d] = total - g.pad_begin[d];
    }
    if (g.output[d] < 1) {
      ctx.fail("the window (extent " + std::to_string(e) + ") does not fit the input " + shape_string(input) +
               " with the given pads");
    }
  }
  return g;
}

PhasePlanes phase_planes(const WindowGeometry& g) {
  PhasePlanes pp;
  const int64_t sh = g.stride[1], sw = g.stride[2];
  pp.phases = sh * sw;
  pp.rows = g.output[1] + (g.extent(1) - 1) / sh;
  pp.pitch = g.output[2] + (g.extent(2) - 1) / sw;
  // The scratch these planes take must be allocatable (a huge kernel or dilation makes them vast).
  checked_tensor_bytes({pp.phases, pp.rows, pp.pitch}, DataType::kFloat64, "the phase planes of a window");
  pp.sweep = (g.output[1] - 1) * pp.pitch + g.output[2];
  pp.padded_sweep = (pp.sweep + kBlock * kLanes - 1) / (kBlock * kLanes) * (kBlock * kLanes);
  for (int64_t kh = 0; kh < g.kernel[1]; ++kh) {
    for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
      const int64_t r = kh * g.dilation[1], c = kw * g.dilation[2];
      const int64_t plane = r % sh * sw + c % sw;
      pp.tap_offsets.push_back((plane * pp.rows + r / sh) * pp.pitch + c / sw);
    }
  }
  return pp;
}

WindowGeometry global_window(const OpContext& ctx, const Shape& input) {
  WindowGeometry g;
  g.rank = spatial_rank(ctx, input);
  for (int64_t i = 0; i < g.rank; ++i) {
    g.input[static_cast<size_t>(kMaxSpatialDims - g.rank + i)] = input[static_cast<size_t>(2 + i)];
  }
  g.kernel = g.input;
  return g;
}

ConvChannels conv_channels(const OpContext& ctx, const Tensor& x, const Tensor& w, bool transposed) {
  ConvChannels c;
  c.groups = ctx.node().attr_int("group", 1);
  if (c.groups < 1) ctx.fail("group must be >= 1, got " + std::to_string(c.groups));
  spatial_rank(ctx, x.shape());
  if (w.rank() != x.rank()) ctx.fail("weights " + shape_string(w.shape()) + " do not match input " + shape_string(x.shape()));
  c.batch = x.dim(0);
  c.in_channels = x.dim(1);
  c.out_channels = transposed ? w.dim(1) * c.groups : w.dim(0);
  const int64_t w_in_channels = transposed ? w.dim(0) : w.dim(1) * c.groups;
  if (c.in_channels != w_in_channels || c.in_channels % c.groups != 0 || c.out_channels % c.groups != 0) {
    ctx.fail("input " + shape_string(x.shape()) + ", weights " + shape_string(w.shape()) + " and group " +
             std::to_string(c.groups) + " do not agree on channels");
  }
  return c;
}

}  // namespace ptqc
