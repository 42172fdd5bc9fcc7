/// \file
/// Reading and checking QConv / QConvTranspose nodes into a QConvProblem.

#include <algorithm>

#include "runtime/kernels/int8/qconv.h"

namespace ptqc {

namespace {

/// Fails the node when it carries an attribute the rewrite must have resolved.
void reject_attribute(const OpContext& ctx, const std::string& key, const std::string& why) {
  if (ctx.node().has_attr(key)) ctx.fail(key + " is not accepted: " + why);
}

/// The ints attribute \p key with \p count values >= 0 (absent: zeros).
std::vector<int64_t> non_negative_ints(const OpContext& ctx, const std::string& key, int64_t count) {
  std::vector<int64_t> v = ctx.node().attr_ints(key, std::vector<int64_t>(static_cast<size_t>(count), 0));
  if (static_cast<int64_t>(v.size()) != count) {
    ctx.fail(key + " must have " + std::to_string(count) + " values, got " + std::to_string(v.size()));
  }
  if (std::any_of(v.begin(), v.end(), [](int64_t e) { return e < 0 || e > kMaxPad; })) {
    ctx.fail(key + " must be in [0, " + std::to_string(kMaxPad) + "]");
  }
  return v;
}

/// Inputs, group and x_offset of either op, checked; W is M × C/G × kernel (QConv) or
/// C × M/G × kernel (\p transposed). Leaves the window's sizes to the caller.
QConvProblem read_operands(const OpContext& ctx, bool transposed) {
  reject_attribute(ctx, "auto_pad", "pads must be explicit");
  const Tensor& x = ctx.input(0);
  const Tensor& w = ctx.input(1);
  expect_dtype(ctx, x, DataType::kInt8, "input x");
  expect_dtype(ctx, w, DataType::kInt8, "weights");
  QConvProblem p;
  p.window.rank = spatial_rank(ctx, x.shape());
  const ConvChannels c = conv_channels(ctx, x, w, transposed);
  p.groups = c.groups;
  p.batch = c.batch;
  p.in_channels = c.in_channels;
  p.out_channels = c.out_channels;
  p.x_offset = offset_attribute(ctx, "x_offset");
  p.x = x.has_values() ? x.data<int8_t>() : nullptr;  // abstract in shape inference, which stops at make_output
  p.w = w.data<int8_t>();
  p.bias = bias_input(ctx, 2, p.out_channels);
  p.window.kernel = kernel_from_weights(ctx, w.shape(), p.window.rank);
  return p;
}

}  // namespace

QConvProblem qconv_problem(const OpContext& ctx) {
  QConvProblem p = read_operands(ctx, false);
  p.window = forward_window(ctx, ctx.input(0).shape(), p.window.kernel, false);
  return p;
}

QConvProblem qconv_transpose_problem(const OpContext& ctx) {
  reject_attribute(ctx, "output_shape", "the output size must be given by pads and output_padding");
  QConvProblem p = read_operands(ctx, true);
  WindowGeometry& g = p.window;
  g.stride = spatial_attribute(ctx, "strides", g.rank);
  g.dilation = spatial_attribute(ctx, "dilations", g.rank);
  const std::vector<int64_t> pads = non_negative_ints(ctx, "pads", 2 * g.rank);
  const std::vector<int64_t> output_padding = non_negative_ints(ctx, "output_padding", g.rank);
  const Shape& x = ctx.input(0).shape();
  for (int64_t i = 0; i < g.rank; ++i) {
    const size_t d = static_cast<size_t>(kMaxSpatialDims - g.rank + i), s = static_cast<size_t>(i);
    g.input[d] = x[2 + s];
    g.pad_begin[d] = pads[s];
    g.pad_end[d] = pads[static_cast<size_t>(g.rank) + s];
    g.output[d] = g.stride[d] * (g.input[d] - 1) + output_padding[s] + g.extent(static_cast<int>(d)) - pads[s] -
                  pads[static_cast<size_t>(g.rank) + s];
    if (g.input[d] < 1 || g.output[d] < 1) {
      ctx.fail("the output would be empty (input " + shape_string(x) + ", pads too large)");
    }
  }
  return p;
}

}  // namespace ptqc
