/// \file
/// The reference QConv and QConvTranspose: the definitions of qconv.h as plain loops over
/// the three-slot window (depth, height, width), sums in int64 reduced mod 2^32 at the end.

#include <vector>

#include "runtime/kernels/int8/qconv.h"

namespace ptqc {

namespace {

/// Along dim d, the position tap \p k of window \p o touches: o · stride - pad_begin + k · dilation
/// (an input position for QConv, an output position for QConvTranspose; it may lie outside).
int64_t tap_position(const WindowGeometry& g, int d, int64_t o, int64_t k) {
  return o * g.stride[d] - g.pad_begin[d] + k * g.dilation[d];
}

bool inside(int64_t i, int64_t size) { return i >= 0 && i < size; }

}  // namespace

void qconv_reference(const QConvProblem& p, int32_t* y) {
  const WindowGeometry& g = p.window;
  const int64_t cg = p.in_per_group(), mg = p.out_per_group();
  for (int64_t n = 0; n < p.batch; ++n) {
    for (int64_t m = 0; m < p.out_channels; ++m) {
      const int64_t first_channel = m / mg * cg;
      for (int64_t od = 0; od < g.output[0]; ++od) {
        for (int64_t oh = 0; oh < g.output[1]; ++oh) {
          for (int64_t ow = 0; ow < g.output[2]; ++ow) {
            int64_t acc = p.bias ? p.bias[m] : 0;
            for (int64_t c = 0; c < cg; ++c) {
              const int8_t* plane = p.x + (n * p.in_channels + first_channel + c) * g.input_size();
              const int8_t* taps = p.w + (m * cg + c) * g.kernel_size();
              for (int64_t kd = 0; kd < g.kernel[0]; ++kd) {
                for (int64_t kh = 0; kh < g.kernel[1]; ++kh) {
                  for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
                    const int64_t id = tap_position(g, 0, od, kd), ih = tap_position(g, 1, oh, kh),
                                  iw = tap_position(g, 2, ow, kw);
                    const bool in = inside(id, g.input[0]) && inside(ih, g.input[1]) && inside(iw, g.input[2]);
                    const int64_t v = in ? plane[(id * g.input[1] + ih) * g.input[2] + iw] : p.x_offset;
                    acc += (v - p.x_offset) * taps[(kd * g.kernel[1] + kh) * g.kernel[2] + kw];
                  }
                }
              }
            }
            *y++ = static_cast<int32_t>(acc);
          }
        }
      }
    }
  }
}

void qconv_transpose_reference(const QConvProblem& p, int32_t* y) {
  const WindowGeometry& g = p.window;
  const int64_t cg = p.in_per_group(), mg = p.out_per_group();
  std::vector<int64_t> acc(static_cast<size_t>(p.batch * p.out_channels * g.output_size()));
  for (int64_t n = 0; n < p.batch; ++n) {
    for (int64_t m = 0; m < p.out_channels; ++m) {
      std::fill_n(acc.begin() + (n * p.out_channels + m) * g.output_size(), g.output_size(), p.bias ? p.bias[m] : 0);
    }
    for (int64_t c = 0; c < p.in_channels; ++c) {
      const int64_t group = c / cg;
      const int8_t* plane = p.x + (n * p.in_channels + c) * g.input_size();
      for (int64_t i = 0; i < g.input_size(); ++i) {
        const SpatialDims in{i / (g.input[1] * g.input[2]), i / g.input[2] % g.input[1], i % g.input[2]};
        const int64_t v = plane[i] - p.x_offset;
        for (int64_t m = 0; m < mg; ++m) {
          const int8_t* taps = p.w + (c * mg + m) * g.kernel_size();
          int64_t* out = acc.data() + (n * p.out_channels + group * mg + m) * g.output_size();
          for (int64_t kd = 0; kd < g.kernel[0]; ++kd) {
            for (int64_t kh = 0; kh < g.kernel[1]; ++kh) {
              for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
                const int64_t od = tap_position(g, 0, in[0], kd), oh = tap_position(g, 1, in[1], kh),
                              ow = tap_position(g, 2, in[2], kw);
                if (!inside(od, g.output[0]) || !inside(oh, g.output[1]) || !inside(ow, g.output[2])) continue;
                out[(od * g.output[1] + oh) * g.output[2] + ow] += v * taps[(kd * g.kernel[1] + kh) * g.kernel[2] + kw];
              }
            }
          }
        }
      }
    }
  }
  for (size_t i = 0; i < acc.size(); ++i) y[i] = static_cast<int32_t>(acc[i]);
}

}  // namespace ptqc
