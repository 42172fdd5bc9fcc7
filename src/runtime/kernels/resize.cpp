/// \file
/// Resize (opsets 10-19) and Upsample (7, 9): separable nearest, N-linear and
/// N-cubic resampling. Every output index of every axis gets a list of input
/// taps (index, weight); an output element is the sum over the product of its
/// axes' taps, Σ Π w_d · x[i_0, ..., i_{r-1}].

#include <algorithm>
#include <cmath>
#include <limits>

#include "runtime/kernels/kernel_util.h"
#include "runtime/op_registry.h"

namespace ptqc {

namespace {

enum class Interpolation { kNearest, kLinear, kCubic };

enum class CoordinateMode {
  kHalfPixel,
  kHalfPixelSymmetric,
  kPytorchHalfPixel,
  kAlignCorners,
  kAsymmetric,
  kTfCropAndResize,
  kTfHalfPixelForNn,
};

/// How nearest mode rounds a source coordinate. kSimple is the rule of Upsample
/// and Resize-10 (as onnxruntime): truncate when upsampling, ceil when downsampling.
enum class NearestRounding { kRoundPreferFloor, kRoundPreferCeil, kFloor, kCeil, kSimple };

struct ResizeAttributes {
  Interpolation mode = Interpolation::kNearest;
  CoordinateMode coordinates = CoordinateMode::kAsymmetric;
  NearestRounding rounding = NearestRounding::kSimple;
  double cubic_a = -0.75;
  bool exclude_outside = false;
  bool antialias = false;
  double extrapolation = 0.0;
};

/// One axis of a resize: input and output lengths, the scale used to map
/// coordinates, and the crop window (tf_crop_and_resize), in input-relative units.
struct AxisResize {
  int64_t in = 1;
  int64_t out = 1;
  double scale = 1.0;
  double roi_start = 0.0;
  double roi_end = 1.0;
};

/// The input taps of every output index along one axis: taps [first[o],
/// first[o + 1]) hold input offsets (index × stride) and weights; outside[o]
/// marks an output index that falls outside the crop window.
struct AxisTaps {
  std::vector<int64_t> first{0};
  std::vector<int64_t> offset;
  std::vector<double> weight;
  std::vector<bool> outside;
};

template <class E>
E parse_choice(const OpContext& ctx, const char* key, const std::string& fallback,
               const std::vector<std::pair<const char*, E>>& choices) {
  const std::string value = ctx.node().attr_string(key, fallback);
  for (const auto& [name, e] : choices) {
    if (value == name) return e;
  }
  ctx.unsupported(std::string(key) + " '" + value + "'");
}

Interpolation parse_mode(const OpContext& ctx) {
  return parse_choice<Interpolation>(ctx, "mode", "nearest",
                                     {{"nearest", Interpolation::kNearest},
                                      {"linear", Interpolation::kLinear},
                                      {"bilinear", Interpolation::kLinear},
                                      {"cubic", Interpolation::kCubic}});
}

/// Resize attributes; before opset 11 only mode exists and the mapping is
/// asymmetric with simple rounding, as in Upsample.
ResizeAttributes resize_attributes(const OpContext& ctx) {
  ResizeAttributes attrs;
  attrs.mode = parse_mode(ctx);
  if (ctx.opset() < 11) return attrs;
  attrs.coordinates = parse_choice<CoordinateMode>(ctx, "coordinate_transformation_mode", "half_pixel",
                                                   {{"half_pixel", CoordinateMode::kHalfPixel},
                                                    {"half_pixel_symmetric", CoordinateMode::kHalfPixelSymmetric},
                                                    {"pytorch_half_pixel", CoordinateMode::kPytorchHalfPixel},
                                                    {"align_corners", CoordinateMode::kAlignCorners},
                                                    {"asymmetric", CoordinateMode::kAsymmetric},
                                                    {"tf_crop_and_resize", CoordinateMode::kTfCropAndResize},
                                                    {"tf_half_pixel_for_nn", CoordinateMode::kTfHalfPixelForNn}});
  attrs.rounding = parse_choice<NearestRounding>(ctx, "nearest_mode", "round_prefer_floor",
                                                 {{"round_prefer_floor", NearestRounding::kRoundPreferFloor},
                                                  {"round_prefer_ceil", NearestRounding::kRoundPreferCeil},
                                                  {"floor", NearestRounding::kFloor},
                                                  {"ceil", NearestRounding::kCeil}});
  attrs.cubic_a = ctx.node().attr_float("cubic_coeff_a", -0.75f);
  attrs.exclude_outside = ctx.node().attr_int("exclude_outside", 0) != 0;
  attrs.antialias = ctx.node().attr_int("antialias", 0) != 0;
  attrs.extrapolation = ctx.node().attr_float("extrapolation_value", 0.0f);
  return attrs;
}

/// The input coordinate x of output index \p o (ONNX coordinate_transformation_mode):
///   half_pixel           (o + 0.5) / s - 0.5
///   half_pixel_symmetric that, shifted by in/2 · (1 - out / (s · in)) to centre the rounded output
///   pytorch_half_pixel   as half_pixel, or 0 when out = 1
///   align_corners        o · (in - 1) / (out - 1), or 0 when out = 1
///   asymmetric           o / s
///   tf_crop_and_resize   start · (in - 1) + o · (end - start) · (in - 1) / (out - 1),
///                        or (start + end) / 2 · (in - 1) when out = 1
///   tf_half_pixel_for_nn (o + 0.5) / s
double source_coordinate(CoordinateMode mode, const AxisResize& a, int64_t o) {
  const double x = static_cast<double>(o), in = static_cast<double>(a.in), out = static_cast<double>(a.out);
  switch (mode) {
    case CoordinateMode::kHalfPixel: return (x + 0.5) / a.scale - 0.5;
    case CoordinateMode::kHalfPixelSymmetric: {
      const double adjustment = out / (a.scale * in);
      return in / 2 * (1 - adjustment) + (x + 0.5) / a.scale - 0.5;
    }
    case CoordinateMode::kPytorchHalfPixel: return a.out > 1 ? (x + 0.5) / a.scale - 0.5 : 0.0;
    case CoordinateMode::kAlignCorners: return a.out > 1 ? x * (in - 1) / (out - 1) : 0.0;
    case CoordinateMode::kAsymmetric: return x / a.scale;
    case CoordinateMode::kTfCropAndResize:
      return a.out > 1 ? a.roi_start * (in - 1) + x * (a.roi_end - a.roi_start) * (in - 1) / (out - 1)
                       : 0.5 * (a.roi_start + a.roi_end) * (in - 1);
    case CoordinateMode::kTfHalfPixelForNn: return (x + 0.5) / a.scale;
  }
  return x;
}

/// The input index nearest mode picks for coordinate \p x (before clamping).
int64_t nearest_index(NearestRounding rounding, double x, double scale) {
  const double floor_x = std::floor(x);
  const double fraction = x - floor_x;
  switch (rounding) {
    case NearestRounding::kRoundPreferFloor: return static_cast<int64_t>(fraction <= 0.5 ? floor_x : floor_x + 1);
    case NearestRounding::kRoundPreferCeil: return static_cast<int64_t>(fraction < 0.5 ? floor_x : floor_x + 1);
    case NearestRounding::kFloor: return static_cast<int64_t>(floor_x);
    case NearestRounding::kCeil: return static_cast<int64_t>(std::ceil(x));
    case NearestRounding::kSimple: return static_cast<int64_t>(scale < 1 ? std::ceil(x) : std::trunc(x));
  }
  return static_cast<int64_t>(floor_x);
}

/// The cubic convolution kernel with coefficient a (Keys, 1981):
///   (a+2)|t|³ - (a+3)|t|² + 1       for |t| <= 1
///   a|t|³ - 5a|t|² + 8a|t| - 4a     for 1 < |t| < 2, else 0
double cubic_weight(double t, double a) {
  t = std::fabs(t);
  if (t <= 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a;
  return 0.0;
}

/// Appends the linear or cubic taps of coordinate \p x to \p taps. With
/// x = x0 + r, r in (0, 1], the taps are x0 + i for i in [start, 1 - start],
/// weighted by the kernel at (i - r) · s: linear max(0, 1 - |t|) with
/// start = floor(-1/s) + 1, cubic with start = floor(-2/s) + 1. s is 1, or the
/// scale when antialiasing a downsample (the kernel widens by 1/scale).
/// Indices clamp to the edge; exclude_outside zeroes the taps beyond it.
/// Antialiased and exclude_outside weights are renormalised to sum to 1.
void add_filter_taps(const ResizeAttributes& attrs, const AxisResize& a, double x, int64_t stride, AxisTaps& taps) {
  const double s = attrs.antialias ? std::min(a.scale, 1.0) : 1.0;
  int64_t x0 = static_cast<int64_t>(std::floor(x));
  double r = x - static_cast<double>(x0);
  if (r == 0) {
    r = 1;
    --x0;
  }
  const double support = attrs.mode == Interpolation::kLinear ? 1.0 : 2.0;
  const auto start = static_cast<int64_t>(std::floor(-support / s)) + 1;
  std::vector<std::pair<int64_t, double>> window;
  double total = 0;
  for (int64_t i = start; i <= 1 - start; ++i) {
    const double t = (static_cast<double>(i) - r) * s;
    double w = attrs.mode == Interpolation::kLinear ? std::max(0.0, 1 - std::fabs(t)) : cubic_weight(t, attrs.cubic_a);
    const int64_t index = x0 + i;
    if (attrs.exclude_outside && (index < 0 || index >= a.in)) w = 0;
    window.emplace_back(std::clamp<int64_t>(index, 0, a.in - 1), w);
    total += w;
  }
  const bool renormalise = (attrs.antialias || attrs.exclude_outside) && total != 0;
  for (const auto& [index, w] : window) {
    if (w == 0) continue;  // identity axes then cost one tap, not two or four
    taps.offset.push_back(index * stride);
    taps.weight.push_back(renormalise ? w / total : w);
  }
}

/// The taps of every output index along axis \p a; offsets are input index × \p stride.
AxisTaps axis_taps(const ResizeAttributes& attrs, const AxisResize& a, int64_t stride) {
  AxisTaps taps;
  for (int64_t o = 0; o < a.out; ++o) {
    const double x = source_coordinate(attrs.coordinates, a, o);
    const bool outside =
        attrs.coordinates == CoordinateMode::kTfCropAndResize && (x < 0 || x > static_cast<double>(a.in - 1));
    taps.outside.push_back(outside);
    if (outside) {
      taps.first.push_back(taps.first.back());  // no taps: the output takes extrapolation_value
      continue;
    }
    if (attrs.mode == Interpolation::kNearest) {
      taps.offset.push_back(std::clamp<int64_t>(nearest_index(attrs.rounding, x, a.scale), 0, a.in - 1) * stride);
      taps.weight.push_back(1.0);
    } else {
      add_filter_taps(attrs, a, x, stride, taps);
    }
    taps.first.push_back(static_cast<int64_t>(taps.offset.size()));
  }
  return taps;
}

/// \p v in T: rounded to nearest and saturated for integer types.
template <class T>
T from_double(double v) {
  if constexpr (std::is_floating_point_v<T>) {
    return static_cast<T>(v);
  } else {
    if (std::isnan(v)) return T{0};
    v = std::nearbyint(v);
    if (v <= static_cast<double>(std::numeric_limits<T>::lowest())) return std::numeric_limits<T>::lowest();
    if (v >= static_cast<double>(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
    return static_cast<T>(v);
  }
}

/// Writes every output element: rows (all axes but the last) first combine the
/// taps of their leading axes into one (offset, weight) list.
template <class T>
void resample(const OpContext& ctx, const T* in, T* out, const Shape& out_shape, const std::vector<AxisTaps>& taps,
              double extrapolation) {
  const size_t last = out_shape.size() - 1;
  const int64_t width = out_shape[last];
  if (width == 0) return;
  const int64_t rows = shape_numel(out_shape) / width;
  const AxisTaps& columns = taps[last];
  parallel_for(ctx.threads(), rows, [&](int64_t begin, int64_t end) {
    std::vector<std::pair<int64_t, double>> combined, next;
    for (int64_t row = begin; row < end; ++row) {
      combined.assign(1, {0, 1.0});
      bool outside = false;
      int64_t rest = row;
      for (size_t d = last; d-- > 0;) {
        const int64_t o = rest % out_shape[d];
        rest /= out_shape[d];
        const AxisTaps& axis = taps[d];
        outside = outside || axis.outside[static_cast<size_t>(o)];
        next.clear();
        for (const auto& [offset, weight] : combined) {
          for (int64_t t = axis.first[static_cast<size_t>(o)]; t < axis.first[static_cast<size_t>(o) + 1]; ++t) {
            next.emplace_back(offset + axis.offset[static_cast<size_t>(t)], weight * axis.weight[static_cast<size_t>(t)]);
          }
        }
        combined.swap(next);
      }
      T* y = out + row * width;
      for (int64_t o = 0; o < width; ++o) {
        if (outside || columns.outside[static_cast<size_t>(o)]) {
          y[o] = from_double<T>(extrapolation);
          continue;
        }
        double sum = 0;
        for (const auto& [offset, weight] : combined) {
          for (int64_t t = columns.first[static_cast<size_t>(o)]; t < columns.first[static_cast<size_t>(o) + 1]; ++t) {
            sum += weight * columns.weight[static_cast<size_t>(t)] *
                   static_cast<double>(in[offset + columns.offset[static_cast<size_t>(t)]]);
          }
        }
        y[o] = from_double<T>(sum);
      }
    }
  });
}

/// True when every output element copies exactly one input element (nearest mode without
/// extrapolation): one tap of weight 1 per output index on every axis.
bool is_pure_gather(const std::vector<AxisTaps>& taps) {
  for (const AxisTaps& axis : taps) {
    for (size_t o = 0; o + 1 < axis.first.size(); ++o) {
      // Output o has the single tap t = o.
      if (axis.first[o + 1] - axis.first[o] != 1 || axis.first[o] != static_cast<int64_t>(o)) return false;
      if (axis.weight[o] != 1.0 || axis.outside[o]) return false;
    }
  }
  return true;
}

/// The nearest-mode fast path: y = in[sum of each axis's single offset], copied exactly
/// (the same values resample() computes, without the float64 round trip).
template <class T>
void gather(const OpContext& ctx, const T* in, T* out, const Shape& out_shape, const std::vector<AxisTaps>& taps) {
  const size_t last = out_shape.size() - 1;
  const int64_t width = out_shape[last];
  const std::vector<int64_t>& columns = taps[last].offset;
  parallel_for(ctx.threads(), shape_numel(out_shape) / width, [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      int64_t base = 0;
      for (int64_t d = static_cast<int64_t>(last) - 1, rest = row; d >= 0; --d) {
        base += taps[static_cast<size_t>(d)].offset[static_cast<size_t>(rest % out_shape[static_cast<size_t>(d)])];
        rest /= out_shape[static_cast<size_t>(d)];
      }
      T* y = out + row * width;
      for (int64_t o = 0; o < width; ++o) y[o] = in[base + columns[static_cast<size_t>(o)]];
    }
  });
}

/// Resamples input 0 to the geometry \p axes (one entry per input axis).
void run_resize(OpContext& ctx, const ResizeAttributes& attrs, const std::vector<AxisResize>& axes) {
  const Tensor& x = ctx.input(0);
  Shape out_shape;
  for (const AxisResize& a : axes) out_shape.push_back(a.out);
  Tensor& y = ctx.make_output(0, x.dtype(), out_shape);
  if (y.numel() == 0) return;
  if (x.numel() == 0) ctx.fail("cannot resize an empty input " + shape_string(x.shape()) + " to " + shape_string(out_shape));
  const std::vector<int64_t> strides = strides_of(x.shape());
  std::vector<AxisTaps> taps;
  for (size_t d = 0; d < axes.size(); ++d) taps.push_back(axis_taps(attrs, axes[d], strides[d]));
  const bool copy_only = is_pure_gather(taps);
  dispatch_numeric(ctx, x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if (copy_only) {
      gather(ctx, x.data<T>(), y.data<T>(), out_shape, taps);
    } else {
      resample(ctx, x.data<T>(), y.data<T>(), out_shape, taps, attrs.extrapolation);
    }
  });
}

/// Input \p i as floats, or empty when absent or empty (an unused optional input).
std::vector<float> optional_floats(const OpContext& ctx, size_t i) {
  const Tensor* t = ctx.optional_input(i);
  return t ? t->to_float_vector() : std::vector<float>{};
}

/// The geometry of every axis from one scale per axis: out = floor(in · scale).
std::vector<AxisResize> geometry_from_scales(const OpContext& ctx, const Shape& shape, const std::vector<float>& scales) {
  if (shape.empty()) ctx.fail("cannot resize a scalar");
  if (scales.size() != shape.size()) {
    ctx.fail("needs one scale per input axis (" + std::to_string(shape.size()) + "), got " +
             std::to_string(scales.size()));
  }
  std::vector<AxisResize> axes(shape.size());
  for (size_t d = 0; d < shape.size(); ++d) {
    if (!(scales[d] > 0) || !std::isfinite(scales[d])) ctx.fail("scales must be positive, got " + std::to_string(scales[d]));
    axes[d].in = shape[d];
    axes[d].scale = scales[d];
    axes[d].out = checked_floor_dim(ctx, static_cast<double>(scales[d]) * static_cast<double>(shape[d]), "the resized length");
  }
  return axes;
}

/// The resized axes of Resize-18: the "axes" attribute (default all), normalised.
std::vector<int64_t> resized_axes(const OpContext& ctx, int64_t rank) {
  std::vector<int64_t> axes = ctx.node().attr_ints("axes", {});
  if (axes.empty()) {
    for (int64_t d = 0; d < rank; ++d) axes.push_back(d);
    return axes;
  }
  std::vector<bool> seen(static_cast<size_t>(rank), false);
  for (int64_t& axis : axes) {
    axis = normalize_axis(ctx, axis, rank);
    if (seen[static_cast<size_t>(axis)]) ctx.fail("axis " + std::to_string(axis) + " is listed twice");
    seen[static_cast<size_t>(axis)] = true;
  }
  return axes;
}

/// Output lengths from "sizes" over \p axes. keep_aspect_ratio_policy
/// not_larger / not_smaller use one scale, the min / max of size / in over the
/// axes, and out = round_half_up(scale · in); stretch uses scale = size / in per axis.
void apply_sizes(const OpContext& ctx, const std::vector<int64_t>& sizes, const std::vector<int64_t>& axes,
                 std::vector<AxisResize>& geometry) {
  const std::string policy = ctx.node().attr_string("keep_aspect_ratio_policy", "stretch");
  if (policy != "stretch" && policy != "not_larger" && policy != "not_smaller") {
    ctx.unsupported("keep_aspect_ratio_policy '" + policy + "'");
  }
  std::vector<double> ratios;
  for (size_t i = 0; i < axes.size(); ++i) {
    if (sizes[i] < 0) ctx.fail("sizes must not be negative, got " + std::to_string(sizes[i]));
    ratios.push_back(static_cast<double>(sizes[i]) / static_cast<double>(geometry[static_cast<size_t>(axes[i])].in));
  }
  for (size_t i = 0; i < axes.size(); ++i) {
    AxisResize& a = geometry[static_cast<size_t>(axes[i])];
    if (policy == "stretch") {
      a.out = sizes[i];
      a.scale = ratios[i];
    } else {
      a.scale = policy == "not_larger" ? *std::min_element(ratios.begin(), ratios.end())
                                       : *std::max_element(ratios.begin(), ratios.end());
      a.out = checked_floor_dim(ctx, a.scale * static_cast<double>(a.in) + 0.5, "the resized length");
    }
  }
}

/// The geometry of Resize from opset 11: inputs X, roi, scales, sizes (exactly
/// one of scales and sizes non-empty), over the axes attribute (opset 18).
/// As in onnxruntime and the ONNX reference, scales give out = floor(in · scale)
/// whatever the roi; the roi only places the crop window of tf_crop_and_resize.
std::vector<AxisResize> resize_geometry(const OpContext& ctx, const Shape& shape) {
  if (shape.empty()) ctx.fail("cannot resize a scalar");
  const std::vector<int64_t> axes = resized_axes(ctx, static_cast<int64_t>(shape.size()));
  const std::vector<float> roi = optional_floats(ctx, 1);
  const std::vector<float> scales = optional_floats(ctx, 2);
  const Tensor* sizes_input = ctx.optional_input(3);
  const bool use_sizes = sizes_input && sizes_input->numel() > 0;
  if (use_sizes == !scales.empty()) ctx.fail("needs exactly one of scales and sizes");
  const std::vector<int64_t> sizes = use_sizes ? input_as_int64(ctx, 3) : std::vector<int64_t>{};
  if ((use_sizes ? sizes.size() : scales.size()) != axes.size()) {
    ctx.fail(std::string(use_sizes ? "sizes" : "scales") + " must have " + std::to_string(axes.size()) + " values");
  }
  if (!roi.empty() && roi.size() != 2 * axes.size()) {
    ctx.fail("roi must have " + std::to_string(2 * axes.size()) + " values, got " + std::to_string(roi.size()));
  }
  std::vector<AxisResize> geometry(shape.size());
  for (size_t d = 0; d < shape.size(); ++d) geometry[d].in = geometry[d].out = shape[d];
  if (use_sizes) {
    apply_sizes(ctx, sizes, axes, geometry);
  } else {
    std::vector<float> all_scales(shape.size(), 1.0f);
    for (size_t i = 0; i < axes.size(); ++i) all_scales[static_cast<size_t>(axes[i])] = scales[i];
    geometry = geometry_from_scales(ctx, shape, all_scales);
  }
  for (size_t i = 0; i < axes.size() && !roi.empty(); ++i) {
    geometry[static_cast<size_t>(axes[i])].roi_start = roi[i];
    geometry[static_cast<size_t>(axes[i])].roi_end = roi[axes.size() + i];
  }
  return geometry;
}

/// Resize: opset 10 takes (X, scales); from opset 11 (X, roi, scales, sizes).
void resize_kernel(OpContext& ctx) {
  const ResizeAttributes attrs = resize_attributes(ctx);
  const Shape& shape = ctx.input(0).shape();
  run_resize(ctx, attrs,
             ctx.opset() >= 11 ? resize_geometry(ctx, shape) : geometry_from_scales(ctx, shape, optional_floats(ctx, 1)));
}

/// Upsample: nearest or linear with out = floor(in · scale), x = o / scale;
/// scales is an attribute in opset 7, an input from opset 9.
void upsample_kernel(OpContext& ctx) {
  ResizeAttributes attrs;
  attrs.mode = parse_mode(ctx);
  if (attrs.mode == Interpolation::kCubic) ctx.unsupported("mode 'cubic'");
  const std::vector<float> scales = ctx.opset() >= 9 ? optional_floats(ctx, 1) : ctx.node().attr_floats("scales", {});
  run_resize(ctx, attrs, geometry_from_scales(ctx, ctx.input(0).shape(), scales));
}

}  // namespace

void register_resize_ops(OpRegistry& registry) {
  registry.add("Resize", &resize_kernel);
  registry.add("Upsample", &upsample_kernel);
}

}  // namespace ptqc
