/// \file
/// The fast QAveragePool. The window is a box, so for output row (od, oh) the sums over its
/// rows are formed once per input column, and each output position adds the columns its
/// window covers; the tap counts factor per dim as well.

#include "runtime/kernels/int8/qpool.h"

#include <algorithm>

#include "runtime/kernels/int8/int8_kernels.h"
#include "runtime/kernels/kernel_util.h"

namespace ptqc {

namespace {

/// Along dim d, the taps of window \p o inside x, and how many lie inside the padded input.
struct DimTaps {
  TapRange in_x;
  int64_t padded;
  int64_t inside() const { return in_x.last - in_x.first; }
};

DimTaps dim_taps(const WindowGeometry& g, int d, int64_t o) {
  const int64_t start = o * g.stride[d] - g.pad_begin[d];
  const TapRange padded =
      taps_inside(start + g.pad_begin[d], g.dilation[d], g.input[d] + g.pad_begin[d] + g.pad_end[d], g.kernel[d]);
  return {taps_inside(start, g.dilation[d], g.input[d], g.kernel[d]), padded.last - padded.first};
}

/// One N·C plane; \p columns holds input[2] sums.
void pool_plane(const QPoolProblem& p, const int8_t* x, int64_t* columns, int8_t* y) {
  const WindowGeometry& g = p.window;
  for (int64_t od = 0; od < g.output[0]; ++od) {
    const DimTaps depth = dim_taps(g, 0, od);
    for (int64_t oh = 0; oh < g.output[1]; ++oh) {
      const DimTaps height = dim_taps(g, 1, oh);
      std::fill_n(columns, g.input[2], int64_t{0});
      for (int64_t kd = depth.in_x.first; kd < depth.in_x.last; ++kd) {
        const int64_t id = od * g.stride[0] - g.pad_begin[0] + kd * g.dilation[0];
        for (int64_t kh = height.in_x.first; kh < height.in_x.last; ++kh) {
          const int8_t* row =
              x + (id * g.input[1] + oh * g.stride[1] - g.pad_begin[1] + kh * g.dilation[1]) * g.input[2];
          for (int64_t iw = 0; iw < g.input[2]; ++iw) columns[iw] += row[iw];
        }
      }
      for (int64_t ow = 0; ow < g.output[2]; ++ow) {
        const DimTaps width = dim_taps(g, 2, ow);
        const int64_t start = ow * g.stride[2] - g.pad_begin[2];
        int64_t sum = 0;
        for (int64_t kw = width.in_x.first; kw < width.in_x.last; ++kw) sum += columns[start + kw * g.dilation[2]];
        *y++ = window_average(sum, depth.inside() * height.inside() * width.inside(),
                              depth.padded * height.padded * width.padded, p.count_padding, p.x_offset);
      }
    }
  }
}

}  // namespace

void qaverage_pool_fast(const QPoolProblem& p, const Int8Run& run, int8_t* y) {
  const WindowGeometry& g = p.window;
  parallel_for(run.threads, p.planes, [&](int64_t begin, int64_t end) {
    Tensor columns(DataType::kInt64, {g.input[2]}, run.allocator);
    for (int64_t plane = begin; plane < end; ++plane) {
      pool_plane(p, p.x + plane * g.input_size(), columns.data<int64_t>(), y + plane * g.output_size());
    }
  });
}

/// QAveragePool: int8 average pooling (and global average pooling) in the input's quantization.
void qaverage_pool(OpContext& ctx) {
  const QPoolProblem p = qaverage_pool_problem(ctx);
  int8_t* y = ctx.make_output(0, DataType::kInt8, p.output_shape).data<int8_t>();
  if (ctx.kernels() == KernelSet::kReference) return qaverage_pool_reference(p, y);
  qaverage_pool_fast(p, int8_run(ctx), y);
}

}  // namespace ptqc
