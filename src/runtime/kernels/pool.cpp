/// \file
/// Pooling over sliding windows (MaxPool, AveragePool, LpPool) and over whole
/// planes (GlobalMaxPool, GlobalAveragePool, GlobalLpPool). Every op reduces,
/// for each output position o of each N·C plane, the taps k whose input position
/// i = o·stride - pad_begin + k·dilation lies inside the input; padding never
/// contributes a value (AveragePool may count it in the divisor).

#include <cmath>
#include <limits>

#include "runtime/kernels/conv_util.h"
#include "runtime/kernels/kernel_util.h"
#include "runtime/op_registry.h"
#include "runtime/quant_traits.h"

namespace ptqc {

namespace {

/// The taps of one output position: per dim, the input position of tap 0 and the taps inside.
struct Window {
  SpatialDims start;
  std::array<TapRange, kMaxSpatialDims> taps;
};

/// Calls fn(plane, output_offset, window) for every output position of planes [0, \p planes),
/// the planes spread over \p threads.
template <class Fn>
void for_each_window(const WindowGeometry& g, int64_t planes, int threads, Fn&& fn) {
  parallel_for(threads, planes, [&](int64_t begin, int64_t end) {
    for (int64_t plane = begin; plane < end; ++plane) {
      int64_t offset = 0;
      for (int64_t od = 0; od < g.output[0]; ++od) {
        for (int64_t oh = 0; oh < g.output[1]; ++oh) {
          for (int64_t ow = 0; ow < g.output[2]; ++ow, ++offset) {
            const SpatialDims o{od, oh, ow};
            Window w;
            for (int d = 0; d < kMaxSpatialDims; ++d) {
              w.start[d] = o[d] * g.stride[d] - g.pad_begin[d];
              w.taps[d] = taps_inside(w.start[d], g.dilation[d], g.input[d], g.kernel[d]);
            }
            fn(plane, offset, w);
          }
        }
      }
    }
  });
}

/// Calls fn(input_offset) for each tap of \p w inside the input, in kernel order
/// (input_offset is row-major within the plane).
template <class Fn>
void for_each_tap(const WindowGeometry& g, const Window& w, Fn&& fn) {
  for (int64_t kd = w.taps[0].first; kd < w.taps[0].last; ++kd) {
    const int64_t id = w.start[0] + kd * g.dilation[0];
    for (int64_t kh = w.taps[1].first; kh < w.taps[1].last; ++kh) {
      const int64_t row = (id * g.input[1] + w.start[1] + kh * g.dilation[1]) * g.input[2];
      for (int64_t kw = w.taps[2].first; kw < w.taps[2].last; ++kw) fn(row + w.start[2] + kw * g.dilation[2]);
    }
  }
}

/// Taps of dim \p d of a window starting at input position \p start that lie inside the input,
/// or inside the padded input when \p with_padding.
int64_t taps_counted(const WindowGeometry& g, int d, int64_t start, bool with_padding) {
  const TapRange r = with_padding ? taps_inside(start + g.pad_begin[d], g.dilation[d],
                                                g.input[d] + g.pad_begin[d] + g.pad_end[d], g.kernel[d])
                                  : taps_inside(start, g.dilation[d], g.input[d], g.kernel[d]);
  return r.last - r.first;
}

/// Taps of \p w inside the input, or inside the padded input when \p with_padding.
int64_t window_count(const WindowGeometry& g, const Window& w, bool with_padding) {
  int64_t count = 1;
  for (int d = 0; d < kMaxSpatialDims; ++d) count *= taps_counted(g, d, w.start[d], with_padding);
  return count;
}

/// The window of a pooling node: kernel_shape (required), strides, dilations, pads, auto_pad, ceil_mode.
WindowGeometry pool_window(const OpContext& ctx, const Shape& input) {
  const int64_t rank = spatial_rank(ctx, input);
  if (!ctx.node().has_attr("kernel_shape")) ctx.fail("kernel_shape is required");
  const SpatialDims kernel = spatial_attribute(ctx, "kernel_shape", rank);
  return forward_window(ctx, input, kernel, ctx.node().attr_int("ceil_mode", 0) != 0);
}

/// Row-major plane offset \p offset as the flat index MaxPool's Indices report: over the whole
/// N·C·spatial tensor, the spatial part column-major when \p column_major (storage_order 1).
int64_t flat_index(const WindowGeometry& g, int64_t plane, int64_t offset, bool column_major) {
  if (column_major) {
    const int64_t iw = offset % g.input[2], ih = offset / g.input[2] % g.input[1];
    const int64_t id = offset / (g.input[1] * g.input[2]);
    offset = id + g.input[0] * (ih + g.input[1] * iw);
  }
  return plane * g.input_size() + offset;
}

/// True when sweep_pool applies and pays: a 1-D/2-D window and enough outputs to fill a vector
/// (a sweep computes whole vectors of outputs; Global* pools have one output per plane).
bool sweeps(const WindowGeometry& g) { return is_planar(g) && g.output_size() >= kLanes; }

/// y[o] = finish(fold of the window's taps, oh, ow) for every output of every plane of a 1-D/2-D
/// pool, by a window sweep: taps in the padding read \p pad and are folded like the others, so
/// \p pad must leave the fold unchanged (the identity of \p step).
template <class T, class Step, class Finish>
void sweep_pool(OpContext& ctx, const WindowGeometry& g, T pad, Step step, Finish finish) {
  const Tensor& x = ctx.input(0);
  T* y = ctx.make_output(0, x.dtype(), g.output_shape(x.dim(0), x.dim(1))).template data<T>();
  const T* xv = x.data<T>();
  const PhasePlanes pp = phase_planes(g);
  parallel_for(ctx.threads(), x.dim(0) * x.dim(1), [&](int64_t begin, int64_t end) {
    Tensor scratch(dtype_of<T>(), {pp.size()}, ctx.allocator());
    T* grid = scratch.data<T>() + pp.grid_offset();
    for (int64_t plane = begin; plane < end; ++plane) {
      fill_phase_planes(g, pp, xv + plane * g.input_size(), pad, scratch.data<T>());
      sweep_windows(pp, scratch.data<T>(), pad, step, grid);
      T* y_plane = y + plane * g.output_size();
      for (int64_t oh = 0; oh < g.output[1]; ++oh) {
        for (int64_t ow = 0; ow < g.output[2]; ++ow) y_plane[oh * g.output[2] + ow] = finish(grid[oh * pp.pitch + ow], oh, ow);
      }
    }
  });
}

/// y = max over the window's taps (the first maximum's index into Indices, output 1, if wanted).
template <class T>
void max_pool_over(OpContext& ctx, const WindowGeometry& g) {
  if (ctx.num_outputs() == 1 && sweeps(g)) {
    // Strictly greater wins, as below: padding (lowest) and NaN never replace a value.
    const auto larger = [](auto acc, int64_t, auto in) { return in > acc ? in : acc; };
    sweep_pool(ctx, g, std::numeric_limits<T>::lowest(), larger, [](T v, int64_t, int64_t) { return v; });
    return;
  }
  const Tensor& x = ctx.input(0);
  const Shape shape = g.output_shape(x.dim(0), x.dim(1));
  Tensor& y_tensor = ctx.make_output(0, x.dtype(), shape);
  Tensor* indices_tensor = ctx.num_outputs() > 1 ? &ctx.make_output(1, DataType::kInt64, shape) : nullptr;
  T* y = y_tensor.template data<T>();
  int64_t* indices = indices_tensor ? indices_tensor->data<int64_t>() : nullptr;
  const bool column_major = ctx.node().attr_int("storage_order", 0) != 0;
  const T* xv = x.data<T>();
  for_each_window(g, x.dim(0) * x.dim(1), ctx.threads(), [&](int64_t plane, int64_t offset, const Window& w) {
    const T* xp = xv + plane * g.input_size();
    int64_t best = -1;
    for_each_tap(g, w, [&](int64_t i) {
      if (best < 0 || xp[i] > xp[best]) best = i;
    });
    const int64_t out = plane * g.output_size() + offset;
    y[out] = best < 0 ? std::numeric_limits<T>::lowest() : xp[best];
    if (indices) indices[out] = best < 0 ? -1 : flat_index(g, plane, best, column_major);
  });
}

/// Calls fn(T{}) for MaxPool's element types: float, double, int8, uint8.
template <class Fn>
void dispatch_max_pool_type(const OpContext& ctx, DataType dtype, Fn&& fn) {
  switch (dtype) {
    case DataType::kInt8: fn(int8_t{}); return;
    case DataType::kUInt8: fn(uint8_t{}); return;
    default: dispatch_float(ctx, dtype, fn);
  }
}

/// MaxPool (opset 1/8/10/11/12): window maximum, optional Indices output.
void max_pool(OpContext& ctx) {
  const WindowGeometry g = pool_window(ctx, ctx.input(0).shape());
  dispatch_max_pool_type(ctx, ctx.input(0).dtype(), [&](auto t) { max_pool_over<decltype(t)>(ctx, g); });
}

/// GlobalMaxPool (opset 1): maximum over each whole plane.
void global_max_pool(OpContext& ctx) {
  const WindowGeometry g = global_window(ctx, ctx.input(0).shape());
  dispatch_float(ctx, ctx.input(0).dtype(), [&](auto t) { max_pool_over<decltype(t)>(ctx, g); });
}

/// \p sum / \p count, or 0 for a window with no taps.
template <class T>
T mean(T sum, int64_t count) {
  return count > 0 ? sum / static_cast<T>(count) : T{0};
}

/// y = Σ taps x / count, count = taps inside the input, or inside the padded input when
/// \p count_padding (AveragePool's count_include_pad).
template <class T>
void average_pool_over(OpContext& ctx, const WindowGeometry& g, bool count_padding) {
  if (sweeps(g)) {
    // The window is a box: its count is the product of per-dim counts.
    std::array<std::vector<int64_t>, kMaxSpatialDims> counts;
    for (int d = 1; d < kMaxSpatialDims; ++d) {
      for (int64_t o = 0; o < g.output[d]; ++o) {
        counts[d].push_back(taps_counted(g, d, o * g.stride[d] - g.pad_begin[d], count_padding));
      }
    }
    sweep_pool(ctx, g, T{0}, [](auto acc, int64_t, auto in) { return acc + in; },
               [&](T sum, int64_t oh, int64_t ow) { return mean(sum, counts[1][oh] * counts[2][ow]); });
    return;
  }
  const Tensor& x = ctx.input(0);
  T* y = ctx.make_output(0, x.dtype(), g.output_shape(x.dim(0), x.dim(1))).template data<T>();
  const T* xv = x.data<T>();
  for_each_window(g, x.dim(0) * x.dim(1), ctx.threads(), [&](int64_t plane, int64_t offset, const Window& w) {
    const T* xp = xv + plane * g.input_size();
    T sum = 0;
    for_each_tap(g, w, [&](int64_t i) { sum += xp[i]; });
    y[plane * g.output_size() + offset] = mean(sum, window_count(g, w, count_padding));
  });
}

/// AveragePool (opset 1/7/10/11/19): window mean.
void average_pool(OpContext& ctx) {
  const WindowGeometry g = pool_window(ctx, ctx.input(0).shape());
  const bool count_padding = ctx.node().attr_int("count_include_pad", 0) != 0;
  dispatch_float(ctx, ctx.input(0).dtype(), [&](auto t) { average_pool_over<decltype(t)>(ctx, g, count_padding); });
}

/// GlobalAveragePool (opset 1): mean over each whole plane.
void global_average_pool(OpContext& ctx) {
  const WindowGeometry g = global_window(ctx, ctx.input(0).shape());
  dispatch_float(ctx, ctx.input(0).dtype(), [&](auto t) { average_pool_over<decltype(t)>(ctx, g, false); });
}

/// y = (Σ taps |x|^p)^(1/p), p from the node (default 2).
template <class T>
void lp_pool_over(OpContext& ctx, const WindowGeometry& g) {
  const Tensor& x = ctx.input(0);
  const int64_t p = ctx.node().attr_int("p", 2);
  if (p < 1) ctx.fail("p must be >= 1, got " + std::to_string(p));
  T* y = ctx.make_output(0, x.dtype(), g.output_shape(x.dim(0), x.dim(1))).template data<T>();
  const T* xv = x.data<T>();
  const T exponent = static_cast<T>(p);
  for_each_window(g, x.dim(0) * x.dim(1), ctx.threads(), [&](int64_t plane, int64_t offset, const Window& w) {
    const T* xp = xv + plane * g.input_size();
    T sum = 0;
    for_each_tap(g, w, [&](int64_t i) { sum += std::pow(std::abs(xp[i]), exponent); });
    y[plane * g.output_size() + offset] = std::pow(sum, T{1} / exponent);
  });
}

/// LpPool (opset 1/2/11/18): window p-norm.
void lp_pool(OpContext& ctx) {
  const WindowGeometry g = pool_window(ctx, ctx.input(0).shape());
  dispatch_float(ctx, ctx.input(0).dtype(), [&](auto t) { lp_pool_over<decltype(t)>(ctx, g); });
}

/// GlobalLpPool (opset 1/2): p-norm of each whole plane.
void global_lp_pool(OpContext& ctx) {
  const WindowGeometry g = global_window(ctx, ctx.input(0).shape());
  dispatch_float(ctx, ctx.input(0).dtype(), [&](auto t) { lp_pool_over<decltype(t)>(ctx, g); });
}

}  // namespace

void register_pool_ops(OpRegistry& registry) {
  registry.add("MaxPool", &max_pool, "", OpTraits{{}, false, ValueCopy::kFirstInput});
  registry.add("AveragePool", &average_pool, "", OpTraits{.quant = &kAveragePoolQuantTraits});
  registry.add("LpPool", &lp_pool);
  registry.add("GlobalMaxPool", &global_max_pool);
  registry.add("GlobalAveragePool", &global_average_pool, "", OpTraits{.quant = &kGlobalAveragePoolQuantTraits});
  registry.add("GlobalLpPool", &global_lp_pool);
}

}  // namespace ptqc
