/// \file
/// Normalizations: BatchNormalization (inference), InstanceNormalization,
/// LayerNormalization, GroupNormalization, MeanVarianceNormalization,
/// LpNormalization, and the Softmax family (Softmax, LogSoftmax, Hardmax).

#include <Eigen/Core>
#include <cmath>

#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/reduce_util.h"
#include "runtime/op_registry.h"

namespace ptqc {

namespace {

/// The mean of a block and 1 / sqrt(variance + epsilon), variance being the
/// population variance Σ(x - mean)² / n (two passes, in double).
struct Moments {
  double mean = 0;
  double inv_std_dev = 0;
};

template <class T>
Moments moments_of(const T* x, int64_t n, double epsilon) {
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(x[i]);
  const double mean = sum / static_cast<double>(n);
  double squares = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double d = static_cast<double>(x[i]) - mean;
    squares += d * d;
  }
  return {mean, 1.0 / std::sqrt(squares / static_cast<double>(n) + epsilon)};
}

/// Standardises \p blocks contiguous blocks of \p length elements:
///   y[b, j] = affine(b, j, (x[b, j] - mean_b) * inv_std_dev_b)
/// with the moments of block b; \p stats, when not null, receives them.
template <class T, class Affine>
void normalize_blocks(const OpContext& ctx, const T* x, T* y, int64_t blocks, int64_t length, double epsilon,
                      Affine&& affine, Moments* stats = nullptr) {
  parallel_for(ctx.threads(), blocks, [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; ++b) {
      const T* xb = x + b * length;
      T* yb = y + b * length;
      const Moments m = moments_of(xb, length, epsilon);
      if (stats) stats[b] = m;
      for (int64_t j = 0; j < length; ++j) {
        yb[j] = static_cast<T>(affine(b, j, (static_cast<double>(xb[j]) - m.mean) * m.inv_std_dev));
      }
    }
  });
}

/// N (dim 0), C (dim 1) and the spatial size of an (N, C, D1, ...) input; fails below rank 2.
struct ChannelLayout {
  int64_t batch = 0;
  int64_t channels = 0;
  int64_t spatial = 1;
};

ChannelLayout channel_layout(const OpContext& ctx, const Tensor& x) {
  if (x.rank() < 2) ctx.fail("input must have shape (N, C, ...), got " + shape_string(x.shape()));
  ChannelLayout layout{x.dim(0), x.dim(1), 1};
  for (int64_t d = 2; d < x.rank(); ++d) layout.spatial *= x.dim(d);
  return layout;
}

/// Input \p i as float values, which must number \p count.
std::vector<float> parameter(const OpContext& ctx, size_t i, int64_t count, const char* what) {
  const Tensor& t = ctx.input(i);
  if (t.numel() != count) {
    ctx.fail(std::string(what) + " must have " + std::to_string(count) + " elements, got shape " +
             shape_string(t.shape()));
  }
  return t.to_float_vector();
}

/// BatchNormalization in inference mode:
///   y = (x - mean[c]) / sqrt(var[c] + epsilon) * scale[c] + B[c]
/// computed as y = a[c] x + b[c]. Before opset 9, spatial=0 gives every
/// (c, d1, ...) position its own parameters. training_mode=1 is not supported.
void batch_normalization_kernel(OpContext& ctx) {
  if (ctx.node().attr_int("training_mode", 0) != 0) ctx.unsupported("training_mode=1");
  for (size_t k = 1; k < ctx.node().outputs.size(); ++k) {
    if (!ctx.node().outputs[k].empty()) ctx.unsupported("the training outputs (running mean and variance)");
  }
  const Tensor& x = ctx.input(0);
  const ChannelLayout layout = channel_layout(ctx, x);
  const bool per_position = ctx.opset() < 9 && ctx.node().attr_int("spatial", 1) == 0;
  const int64_t count = per_position ? layout.channels * layout.spatial : layout.channels;
  const std::vector<float> scale = parameter(ctx, 1, count, "scale");
  const std::vector<float> bias = parameter(ctx, 2, count, "B");
  const std::vector<float> mean = parameter(ctx, 3, count, "input_mean");
  const std::vector<float> var = parameter(ctx, 4, count, "input_var");
  const double epsilon = ctx.node().attr_float("epsilon", 1e-5f);
  std::vector<double> a(static_cast<size_t>(count)), b(static_cast<size_t>(count));
  for (size_t i = 0; i < a.size(); ++i) {
    a[i] = scale[i] / std::sqrt(static_cast<double>(var[i]) + epsilon);
    b[i] = bias[i] - mean[i] * a[i];
  }
  Tensor& y = ctx.make_output(0, x.dtype(), x.shape());
  dispatch_float(ctx, x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* in = x.data<T>();
    T* out = y.data<T>();
    parallel_for(ctx.threads(), layout.batch * layout.channels, [&](int64_t begin, int64_t end) {
      for (int64_t plane = begin; plane < end; ++plane) {
        const int64_t c = plane % layout.channels;
        const int64_t offset = plane * layout.spatial;
        for (int64_t s = 0; s < layout.spatial; ++s) {
          const auto p = static_cast<size_t>(per_position ? c * layout.spatial + s : c);
          out[offset + s] = static_cast<T>(a[p] * static_cast<double>(in[offset + s]) + b[p]);
        }
      }
    });
  });
}

/// InstanceNormalization: each (n, c) plane standardised over its spatial
/// positions, then y = scale[c] * x̂ + B[c].
void instance_normalization_kernel(OpContext& ctx) {
  const Tensor& x = ctx.input(0);
  const ChannelLayout layout = channel_layout(ctx, x);
  const std::vector<float> scale = parameter(ctx, 1, layout.channels, "scale");
  const std::vector<float> bias = parameter(ctx, 2, layout.channels, "B");
  Tensor& y = ctx.make_output(0, x.dtype(), x.shape());
  dispatch_float(ctx, x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    normalize_blocks(ctx, x.data<T>(), y.data<T>(), layout.batch * layout.channels, layout.spatial,
                     ctx.node().attr_float("epsilon", 1e-5f), [&](int64_t block, int64_t, double v) {
                       const auto c = static_cast<size_t>(block % layout.channels);
                       return v * scale[c] + bias[c];
                     });
  });
}

/// GroupNormalization: the channels split into num_groups groups; each (n, group)
/// standardised over its channels and spatial positions, then scaled and shifted
/// per group (opset 18: scale and bias hold num_groups values) or per channel
/// (opset 21: C values); the form is told apart by the length of scale.
void group_normalization_kernel(OpContext& ctx) {
  const Tensor& x = ctx.input(0);
  const ChannelLayout layout = channel_layout(ctx, x);
  const int64_t groups = ctx.node().attr_int("num_groups", 0);
  if (groups <= 0 || layout.channels % groups != 0) {
    ctx.fail("num_groups = " + std::to_string(groups) + " must be positive and divide C = " +
             std::to_string(layout.channels));
  }
  const bool per_channel = ctx.input(1).numel() == layout.channels;
  const int64_t count = per_channel ? layout.channels : groups;
  const std::vector<float> scale = parameter(ctx, 1, count, "scale");
  const std::vector<float> bias = parameter(ctx, 2, count, "bias");
  const int64_t channels_per_group = layout.channels / groups;
  Tensor& y = ctx.make_output(0, x.dtype(), x.shape());
  dispatch_float(ctx, x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    normalize_blocks(ctx, x.data<T>(), y.data<T>(), layout.batch * groups, channels_per_group * layout.spatial,
                     ctx.node().attr_float("epsilon", 1e-5f), [&](int64_t block, int64_t j, double v) {
                       const int64_t group = block % groups;
                       const auto p = static_cast<size_t>(
                           per_channel ? group * channels_per_group + j / layout.spatial : group);
                       return v * scale[p] + bias[p];
                     });
  });
}

/// For each position j of the normalised shape, the offset of the element of
/// \p param (unidirectionally broadcast to \p normalized) that applies to it.
std::vector<int64_t> broadcast_offsets(const OpContext& ctx, const Tensor& param, const Shape& normalized,
                                       const char* what) {
  const Shape& shape = param.shape();
  bool fits = shape.size() <= normalized.size();
  for (size_t i = 0; fits && i < shape.size(); ++i) {
    const int64_t d = shape[i], n = normalized[normalized.size() - shape.size() + i];
    fits = d == n || d == 1;
  }
  if (!fits) {
    ctx.fail(std::string(what) + " of shape " + shape_string(shape) + " does not broadcast to the normalised shape " +
             shape_string(normalized));
  }
  std::vector<int64_t> offsets(static_cast<size_t>(shape_numel(normalized)));
  const std::vector<int64_t> strides = broadcast_strides(shape, normalized);
  for_each_broadcast(normalized, strides, strides,
                     [&](int64_t j, int64_t offset, int64_t) { offsets[static_cast<size_t>(j)] = offset; });
  return offsets;
}

/// LayerNormalization: x standardised over the axes [axis, rank) (axis default
/// -1), then y = x̂ * Scale + B with Scale and B broadcast to x.shape[axis:].
/// Optional outputs Mean and InvStdDev = 1 / sqrt(var + epsilon) have shape
/// x.shape[:axis] + [1, ...] and the stash_type element type (float32 or float64).
void layer_normalization_kernel(OpContext& ctx) {
  const Tensor& x = ctx.input(0);
  const int64_t axis = lane_axis(ctx, ctx.node().attr_int("axis", -1), x.shape());
  const Shape normalized(x.shape().begin() + axis, x.shape().end());
  const Tensor& scale_tensor = ctx.input(1);
  const std::vector<int64_t> scale_at = broadcast_offsets(ctx, scale_tensor, normalized, "Scale");
  const Tensor* b = ctx.optional_input(2);
  const std::vector<int64_t> bias_at = b ? broadcast_offsets(ctx, *b, normalized, "B") : std::vector<int64_t>{};
  const auto stash = static_cast<DataType>(ctx.node().attr_int("stash_type", 1));
  if (stash != DataType::kFloat32 && stash != DataType::kFloat64) ctx.unsupported("stash_type " + dtype_name(stash));

  const AxisLanes rows = rows_from(x.shape(), axis);
  std::vector<Moments> stats(static_cast<size_t>(rows.outer));
  Shape stats_shape = x.shape();
  for (auto d = static_cast<size_t>(axis); d < stats_shape.size(); ++d) stats_shape[d] = 1;
  // Every output is declared before any is computed (shape inference stops at the last one).
  Tensor& y = ctx.make_output(0, x.dtype(), x.shape());
  std::vector<Tensor*> stat_outputs;  // Mean, InvStdDev
  for (size_t k = 1; k < ctx.num_outputs() && k < 3; ++k) stat_outputs.push_back(&ctx.make_output(k, stash, stats_shape));
  const std::vector<float> scale = scale_tensor.to_float_vector();
  const std::vector<float> bias = b ? b->to_float_vector() : std::vector<float>{};
  dispatch_float(ctx, x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    normalize_blocks(
        ctx, x.data<T>(), y.data<T>(), rows.outer, rows.n, ctx.node().attr_float("epsilon", 1e-5f),
        [&](int64_t, int64_t j, double v) {
          const auto k = static_cast<size_t>(j);
          return v * scale[static_cast<size_t>(scale_at[k])] + (bias.empty() ? 0.0 : bias[static_cast<size_t>(bias_at[k])]);
        },
        stats.data());
  });
  for (size_t k = 0; k < stat_outputs.size(); ++k) {
    dispatch_float(ctx, stash, [&](auto tag) {
      using U = decltype(tag);
      U* values = stat_outputs[k]->data<U>();
      for (size_t r = 0; r < stats.size(); ++r) values[r] = static_cast<U>(k == 0 ? stats[r].mean : stats[r].inv_std_dev);
    });
  }
}

/// MeanVarianceNormalization over axes (default [0, 2, 3]), as its ONNX function body:
///   y = (x - E[x]) / (sqrt(E[x²] - E[x]²) + 1e-9)
void mean_variance_normalization_kernel(OpContext& ctx) {
  const Tensor& x = ctx.input(0);
  const std::vector<bool> reduced = reduced_axes_mask(ctx, ctx.node().attr_ints("axes", {0, 2, 3}), x.rank());
  const ReductionPlan plan(x.shape(), reduced);
  const auto n = static_cast<double>(plan.reduced_count());
  Tensor& y = ctx.make_output(0, x.dtype(), x.shape());
  dispatch_float(ctx, x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* in = x.data<T>();
    T* out = y.data<T>();
    parallel_for(ctx.threads(), plan.output_count(), [&](int64_t begin, int64_t end) {
      for (int64_t o = begin; o < end; ++o) {
        const int64_t base = plan.base_offset(o);
        double sum = 0, squares = 0;
        plan.for_each_offset(base, [&](int64_t i) {
          sum += static_cast<double>(in[i]);
          squares += static_cast<double>(in[i]) * static_cast<double>(in[i]);
        });
        const double mean = sum / n;
        const double std_dev = std::sqrt(std::max(squares / n - mean * mean, 0.0));
        plan.for_each_offset(base, [&](int64_t i) {
          out[i] = static_cast<T>((static_cast<double>(in[i]) - mean) / (std_dev + 1e-9));
        });
      }
    });
  });
}

/// LpNormalization: y = x / ||x||_p along axis (default -1), p = 1 or 2 (default 2);
/// a zero norm gives 0.
void lp_normalization_kernel(OpContext& ctx) {
  const Tensor& x = ctx.input(0);
  const AxisLanes lanes = lanes_around(x.shape(), lane_axis(ctx, ctx.node().attr_int("axis", -1), x.shape()));
  const int64_t p = ctx.node().attr_int("p", 2);
  if (p != 1 && p != 2) ctx.fail("p must be 1 or 2, got " + std::to_string(p));
  Tensor& y = ctx.make_output(0, x.dtype(), x.shape());
  dispatch_float(ctx, x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const int64_t step = lanes.inner;
    for_each_lane(ctx, lanes, x.data<T>(), y.data<T>(), [&](const T* v, T* w) {
      double norm = 0;
      for (int64_t k = 0; k < lanes.n; ++k) {
        const auto a = static_cast<double>(v[k * step]);
        norm += p == 1 ? std::fabs(a) : a * a;
      }
      if (p == 2) norm = std::sqrt(norm);
      for (int64_t k = 0; k < lanes.n; ++k) {
        w[k * step] = norm == 0 ? T{0} : static_cast<T>(static_cast<double>(v[k * step]) / norm);
      }
    });
  });
}

enum class SoftmaxKind { kSoftmax, kLogSoftmax, kHardmax };

/// The lanes a Softmax-family op normalises: along axis (default -1) from opset
/// 13; before, one lane per row of the input coerced to 2-D at axis (default 1).
AxisLanes softmax_lanes(const OpContext& ctx, const Shape& shape) {
  if (ctx.opset() >= 13) return lanes_around(shape, lane_axis(ctx, ctx.node().attr_int("axis", -1), shape));
  return rows_from(shape, normalize_axis(ctx, ctx.node().attr_int("axis", 1), static_cast<int64_t>(shape.size())));
}

/// Along each lane, with m = max x:
///   Softmax    y = exp(x - m) / Σ exp(x - m)
///   LogSoftmax y = x - m - log Σ exp(x - m)
///   Hardmax    y = 1 at the first maximum, 0 elsewhere
/// Softmax over contiguous float32 lanes (the attention case) with Eigen's SIMD exp:
/// y = e^(x - max) / sum(e^(x - max)). Each lane is one thread's, so results do not
/// depend on the thread count.
void contiguous_softmax(OpContext& ctx, const AxisLanes& lanes, const Tensor& x, Tensor& y) {
  for_each_lane(ctx, lanes, x.data<float>(), y.data<float>(), [&](const float* v, float* w) {
    if (lanes.n == 0) return;
    const Eigen::Map<const Eigen::ArrayXf> in(v, lanes.n);
    Eigen::Map<Eigen::ArrayXf> out(w, lanes.n);
    out = (in - in.maxCoeff()).exp();
    out *= 1.0f / out.sum();
  });
}

template <SoftmaxKind K>
void softmax_kernel(OpContext& ctx) {
  const Tensor& x = ctx.input(0);
  const AxisLanes lanes = softmax_lanes(ctx, x.shape());
  Tensor& y = ctx.make_output(0, x.dtype(), x.shape());
  if constexpr (K == SoftmaxKind::kSoftmax) {
    if (x.dtype() == DataType::kFloat32 && lanes.inner == 1) return contiguous_softmax(ctx, lanes, x, y);
  }
  dispatch_float(ctx, x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const int64_t step = lanes.inner;
    for_each_lane(ctx, lanes, x.data<T>(), y.data<T>(), [&](const T* v, T* w) {
      int64_t arg_max = 0;
      for (int64_t k = 1; k < lanes.n; ++k) {
        if (v[k * step] > v[arg_max * step]) arg_max = k;
      }
      if constexpr (K == SoftmaxKind::kHardmax) {
        for (int64_t k = 0; k < lanes.n; ++k) w[k * step] = k == arg_max ? T{1} : T{0};
      } else {
        const T m = lanes.n ? v[arg_max * step] : T{0};
        double sum = 0;
        for (int64_t k = 0; k < lanes.n; ++k) {
          const T e = std::exp(v[k * step] - m);
          if constexpr (K == SoftmaxKind::kSoftmax) w[k * step] = e;
          sum += static_cast<double>(e);
        }
        if constexpr (K == SoftmaxKind::kSoftmax) {
          const auto inv_sum = static_cast<T>(1.0 / sum);
          for (int64_t k = 0; k < lanes.n; ++k) w[k * step] *= inv_sum;
        } else {
          const auto log_sum = static_cast<T>(std::log(sum));
          for (int64_t k = 0; k < lanes.n; ++k) w[k * step] = v[k * step] - m - log_sum;
        }
      }
    });
  });
}

}  // namespace

void register_normalization_ops(OpRegistry& registry) {
  registry.add("BatchNormalization", &batch_normalization_kernel);
  registry.add("InstanceNormalization", &instance_normalization_kernel);
  registry.add("LayerNormalization", &layer_normalization_kernel);
  registry.add("GroupNormalization", &group_normalization_kernel);
  registry.add("MeanVarianceNormalization", &mean_variance_normalization_kernel);
  registry.add("LpNormalization", &lp_normalization_kernel);
  registry.add("Softmax", &softmax_kernel<SoftmaxKind::kSoftmax>);
  registry.add("LogSoftmax", &softmax_kernel<SoftmaxKind::kLogSoftmax>);
  registry.add("Hardmax", &softmax_kernel<SoftmaxKind::kHardmax>);
}

}  // namespace ptqc
