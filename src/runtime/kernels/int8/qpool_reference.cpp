/// \file
/// Reading QAveragePool nodes, the exact rounded division, and the reference QAveragePool.

#include <algorithm>

#include "runtime/kernels/int8/qpool.h"

namespace ptqc {

namespace {

/// The 0/1 int attribute \p key (absent: 0).
bool flag_attribute(const OpContext& ctx, const std::string& key) {
  const int64_t v = ctx.node().attr_int(key, 0);
  if (v != 0 && v != 1) ctx.fail(key + " must be 0 or 1, got " + std::to_string(v));
  return v == 1;
}

}  // namespace

QPoolProblem qaverage_pool_problem(const OpContext& ctx) {
  const Tensor& x = ctx.input(0);
  expect_dtype(ctx, x, DataType::kInt8, "input x");
  if (ctx.node().has_attr("auto_pad")) ctx.fail("auto_pad is not accepted: pads must be explicit");
  QPoolProblem p;
  const bool global = flag_attribute(ctx, "global");
  const bool ceil_mode = flag_attribute(ctx, "ceil_mode");
  p.count_padding = flag_attribute(ctx, "count_include_pad");
  if (global) {
    p.window = global_window(ctx, x.shape());
  } else {
    const int64_t rank = spatial_rank(ctx, x.shape());
    if (!ctx.node().has_attr("kernel_shape")) ctx.fail("kernel_shape is required unless global = 1");
    p.window = forward_window(ctx, x.shape(), spatial_attribute(ctx, "kernel_shape", rank), ceil_mode);
  }
  p.planes = x.dim(0) * x.dim(1);
  p.output_shape = p.window.output_shape(x.dim(0), x.dim(1));
  p.x_offset = offset_attribute(ctx, "x_offset");
  p.x = x.has_values() ? x.data<int8_t>() : nullptr;  // abstract in shape inference, which stops at make_output
  return p;
}

int64_t divide_round_half_even(int64_t sum, int64_t count) {
  const int64_t quotient = sum / count, remainder = sum % count;
  const int64_t twice = 2 * (remainder < 0 ? -remainder : remainder);
  if (twice > count || (twice == count && quotient % 2 != 0)) return quotient + (sum < 0 ? -1 : 1);
  return quotient;
}

int8_t window_average(int64_t sum, int64_t inside, int64_t padded, bool count_padding, int32_t x_offset) {
  if (count_padding) sum += (padded - inside) * x_offset;
  const int64_t count = count_padding ? padded : inside;
  if (count == 0) return static_cast<int8_t>(x_offset);
  return static_cast<int8_t>(std::clamp<int64_t>(divide_round_half_even(sum, count), -128, 127));
}

void qaverage_pool_reference(const QPoolProblem& p, int8_t* y) {
  const WindowGeometry& g = p.window;
  for (int64_t plane = 0; plane < p.planes; ++plane) {
    const int8_t* x = p.x + plane * g.input_size();
    for (int64_t od = 0; od < g.output[0]; ++od) {
      for (int64_t oh = 0; oh < g.output[1]; ++oh) {
        for (int64_t ow = 0; ow < g.output[2]; ++ow) {
          const SpatialDims o{od, oh, ow};
          int64_t sum = 0, inside = 0, padded = 0;
          for (int64_t kd = 0; kd < g.kernel[0]; ++kd) {
            for (int64_t kh = 0; kh < g.kernel[1]; ++kh) {
              for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
                const SpatialDims k{kd, kh, kw};
                SpatialDims i{};
                bool in_x = true, in_padded = true;
                for (int d = 0; d < kMaxSpatialDims; ++d) {
                  i[d] = o[d] * g.stride[d] - g.pad_begin[d] + k[d] * g.dilation[d];
                  in_x = in_x && i[d] >= 0 && i[d] < g.input[d];
                  in_padded = in_padded && i[d] >= -g.pad_begin[d] && i[d] < g.input[d] + g.pad_end[d];
                }
                if (in_x) {
                  sum += x[(i[0] * g.input[1] + i[1]) * g.input[2] + i[2]];
                  ++inside;
                }
                padded += in_padded;
              }
            }
          }
          *y++ = window_average(sum, inside, padded, p.count_padding, p.x_offset);
        }
      }
    }
  }
}

}  // namespace ptqc
