/// \file
/// Reductions: the Reduce* family, ArgMax/ArgMin, TopK and CumSum, plus the
/// iteration helpers of reduce_util.h.

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/reduce_util.h"
#include "runtime/op_registry.h"

namespace ptqc {

AxisLanes lanes_around(const Shape& shape, int64_t axis) {
  AxisLanes lanes;
  for (int64_t d = 0; d < axis; ++d) lanes.outer *= shape[static_cast<size_t>(d)];
  lanes.n = shape[static_cast<size_t>(axis)];
  for (size_t d = static_cast<size_t>(axis) + 1; d < shape.size(); ++d) lanes.inner *= shape[d];
  return lanes;
}

AxisLanes rows_from(const Shape& shape, int64_t axis) {
  AxisLanes rows;
  for (size_t d = 0; d < shape.size(); ++d) (static_cast<int64_t>(d) < axis ? rows.outer : rows.n) *= shape[d];
  return rows;
}

int64_t lane_axis(const OpContext& ctx, int64_t axis, const Shape& shape) {
  if (shape.empty()) ctx.fail("needs an input of rank >= 1, got a scalar");
  return normalize_axis(ctx, axis, static_cast<int64_t>(shape.size()));
}

std::vector<bool> reduced_axes_mask(const OpContext& ctx, const std::vector<int64_t>& axes, int64_t rank) {
  std::vector<bool> reduced(static_cast<size_t>(rank), false);
  for (int64_t axis : axes) {
    const auto d = static_cast<size_t>(normalize_axis(ctx, axis, rank));
    if (reduced[d]) ctx.fail("axis " + std::to_string(axis) + " is listed twice");
    reduced[d] = true;
  }
  return reduced;
}

Shape reduced_shape(const Shape& input, const std::vector<bool>& reduced, bool keepdims) {
  Shape out;
  for (size_t d = 0; d < input.size(); ++d) {
    if (!reduced[d]) out.push_back(input[d]);
    else if (keepdims) out.push_back(1);
  }
  return out;
}

ReductionPlan::ReductionPlan(const Shape& input, const std::vector<bool>& reduced) {
  // Coalesce: size-1 axes change nothing, and neighbours of the same kind merge.
  Shape dims;
  std::vector<bool> folds;
  for (size_t d = 0; d < input.size(); ++d) {
    if (input[d] == 1) continue;
    if (!dims.empty() && folds.back() == reduced[d]) {
      dims.back() *= input[d];
    } else {
      dims.push_back(input[d]);
      folds.push_back(reduced[d]);
    }
  }
  const std::vector<int64_t> strides = strides_of(dims);
  std::vector<int64_t> reduced_dims, reduced_strides;
  for (size_t d = 0; d < dims.size(); ++d) {
    if (folds[d]) {
      reduced_dims.push_back(dims[d]);
      reduced_strides.push_back(strides[d]);
    } else {
      kept_dims_.push_back(dims[d]);
      kept_strides_.push_back(strides[d]);
      output_count_ *= dims[d];
    }
  }
  if (!reduced_dims.empty()) {
    run_length_ = reduced_dims.back();
    run_stride_ = reduced_strides.back();
    reduced_dims.pop_back();
    reduced_strides.pop_back();
  }
  // Offsets of every index combination of the remaining reduced axes, in row-major order.
  outer_offsets_ = {0};
  for (size_t r = 0; r < reduced_dims.size(); ++r) {
    std::vector<int64_t> next;
    next.reserve(outer_offsets_.size() * static_cast<size_t>(reduced_dims[r]));
    for (int64_t base : outer_offsets_) {
      for (int64_t j = 0; j < reduced_dims[r]; ++j) next.push_back(base + j * reduced_strides[r]);
    }
    outer_offsets_ = std::move(next);
  }
}

int64_t ReductionPlan::base_offset(int64_t o) const {
  int64_t offset = 0;
  for (size_t d = kept_dims_.size(); d-- > 0;) {
    offset += (o % kept_dims_[d]) * kept_strides_[d];
    o /= kept_dims_[d];
  }
  return offset;
}

namespace {

enum class Reduction { kSum, kMean, kMax, kMin, kProd, kL1, kL2, kSumSquare, kLogSum, kLogSumExp };

template <class A>
bool is_nan(A v) {
  if constexpr (std::is_floating_point_v<A>) {
    return std::isnan(v);
  } else {
    return false;
  }
}

/// The neutral start of Max (-inf, or the lowest integer) and Min (+inf, or the highest).
template <class A>
A extreme_start(bool for_max) {
  if constexpr (std::is_floating_point_v<A>) {
    return for_max ? -std::numeric_limits<A>::infinity() : std::numeric_limits<A>::infinity();
  } else {
    return for_max ? std::numeric_limits<A>::lowest() : std::numeric_limits<A>::max();
  }
}

/// Folds the input elements of one output element (whose base offset is \p base):
///   Sum Σx, Mean Σx/n, Max, Min (NaN propagates), Prod Πx, L1 Σ|x|, L2 sqrt(Σx²),
///   SumSquare Σx², LogSum log(Σx), LogSumExp m + log(Σexp(x - m)) with m = max x.
/// Sums accumulate in double (float types) or 64-bit integers.
template <Reduction R, class T>
T fold(const T* x, const ReductionPlan& plan, int64_t base) {
  using A = AccumulatorOf<T>;
  if constexpr (R == Reduction::kMax || R == Reduction::kMin) {
    A acc = extreme_start<A>(R == Reduction::kMax);
    plan.for_each_offset(base, [&](int64_t i) {
      const A v = static_cast<A>(x[i]);
      if ((R == Reduction::kMax ? v > acc : v < acc) || is_nan(v)) acc = v;
    });
    return static_cast<T>(acc);
  } else if constexpr (R == Reduction::kLogSumExp) {
    double m = -std::numeric_limits<double>::infinity();
    plan.for_each_offset(base, [&](int64_t i) { m = std::max(m, static_cast<double>(x[i])); });
    if (std::isinf(m)) return static_cast<T>(m);
    double sum = 0;
    plan.for_each_offset(base, [&](int64_t i) { sum += std::exp(static_cast<double>(x[i]) - m); });
    return static_cast<T>(m + std::log(sum));
  } else {
    A acc = R == Reduction::kProd ? A{1} : A{0};
    plan.for_each_offset(base, [&](int64_t i) {
      const A v = static_cast<A>(x[i]);
      if constexpr (R == Reduction::kProd) {
        acc *= v;
      } else if constexpr (R == Reduction::kL1 && std::is_signed_v<A>) {
        acc += v < A{0} ? -v : v;
      } else if constexpr (R == Reduction::kL2 || R == Reduction::kSumSquare) {
        acc += v * v;
      } else {
        acc += v;
      }
    });
    if constexpr (R == Reduction::kMean) {
      const auto n = static_cast<A>(plan.reduced_count());
      if constexpr (std::is_floating_point_v<A>) {
        return static_cast<T>(acc / n);
      } else {
        return static_cast<T>(n == 0 ? A{0} : acc / n);
      }
    } else if constexpr (R == Reduction::kL2) {
      return static_cast<T>(std::sqrt(static_cast<double>(acc)));
    } else if constexpr (R == Reduction::kLogSum) {
      return static_cast<T>(std::log(static_cast<double>(acc)));
    } else {
      return static_cast<T>(acc);
    }
  }
}

/// The axes of a Reduce* node: an "axes" input from opset 13 (ReduceSum) or 18
/// (the others), an attribute before. Missing or empty axes reduce everything,
/// unless noop_with_empty_axes (input form only) makes the reduction a no-op,
/// which here is a fold over no axes (each output folds one element).
std::vector<bool> reduce_axes(const OpContext& ctx, Reduction r, int64_t rank) {
  const bool axes_as_input = ctx.opset() >= (r == Reduction::kSum ? 13 : 18);
  std::vector<int64_t> axes;
  if (axes_as_input) {
    if (ctx.has_input(1)) axes = input_as_int64(ctx, 1);
  } else {
    axes = ctx.node().attr_ints("axes", {});
  }
  if (!axes.empty()) return reduced_axes_mask(ctx, axes, rank);
  const bool noop = axes_as_input && ctx.node().attr_int("noop_with_empty_axes", 0) != 0;
  return std::vector<bool>(static_cast<size_t>(rank), !noop);
}

/// Reduce<R>: folds the selected axes of input 0 with fold<R>, keeping them as 1s when keepdims (default 1).
template <Reduction R>
void reduce_kernel(OpContext& ctx) {
  const Tensor& x = ctx.input(0);
  const std::vector<bool> reduced = reduce_axes(ctx, R, x.rank());
  const ReductionPlan plan(x.shape(), reduced);
  Tensor& y = ctx.make_output(0, x.dtype(), reduced_shape(x.shape(), reduced, ctx.node().attr_int("keepdims", 1) != 0));
  dispatch_numeric(ctx, x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* in = x.data<T>();
    T* out = y.data<T>();
    parallel_for(ctx.threads(), plan.output_count(), [&](int64_t begin, int64_t end) {
      for (int64_t o = begin; o < end; ++o) out[o] = fold<R>(in, plan, plan.base_offset(o));
    });
  });
}

/// ArgMax (kMax) / ArgMin: the int64 index of the first (or, with
/// select_last_index, the last) extreme element along axis (default 0).
template <bool kMax>
void arg_extreme_kernel(OpContext& ctx) {
  const Tensor& x = ctx.input(0);
  const int64_t axis = lane_axis(ctx, ctx.node().attr_int("axis", 0), x.shape());
  const bool keepdims = ctx.node().attr_int("keepdims", 1) != 0;
  const bool last = ctx.node().attr_int("select_last_index", 0) != 0;
  const AxisLanes lanes = lanes_around(x.shape(), axis);
  if (lanes.n == 0 && lanes.lanes() > 0) ctx.fail("cannot select from an empty axis");
  std::vector<bool> reduced(static_cast<size_t>(x.rank()), false);
  reduced[static_cast<size_t>(axis)] = true;
  int64_t* out = ctx.make_output(0, DataType::kInt64, reduced_shape(x.shape(), reduced, keepdims)).data<int64_t>();
  dispatch_numeric(ctx, x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* in = x.data<T>();
    parallel_for(ctx.threads(), lanes.lanes(), [&](int64_t begin, int64_t end) {
      for (int64_t lane = begin; lane < end; ++lane) {
        const T* v = in + lanes.lane_start(lane);
        int64_t best = 0;
        for (int64_t k = 1; k < lanes.n; ++k) {
          const T a = v[k * lanes.inner], b = v[best * lanes.inner];
          if ((kMax ? a > b : a < b) || (last && a == b)) best = k;
        }
        out[lane] = best;
      }
    });
  });
}

/// a < b with NaN above every number (so NaNs sort after +inf, as in NumPy).
template <class T>
bool value_less(T a, T b) {
  if (is_nan(b)) return !is_nan(a);
  if (is_nan(a)) return false;
  return a < b;
}

/// TopK: the k largest (largest=1, default) or smallest elements along axis
/// (default -1) and their int64 indices, best first; equal values keep the lower
/// index first. k is an input from opset 10, an attribute before. The output is
/// always sorted (sorted=0 leaves the order unspecified).
void top_k_kernel(OpContext& ctx) {
  const Tensor& x = ctx.input(0);
  const int64_t axis = lane_axis(ctx, ctx.node().attr_int("axis", -1), x.shape());
  int64_t k = ctx.node().attr_int("k", -1);
  if (ctx.opset() >= 10) {
    const std::vector<int64_t> k_input = input_as_int64(ctx, 1);
    if (k_input.size() != 1) ctx.fail("input K must hold exactly one value");
    k = k_input[0];
  }
  const AxisLanes lanes = lanes_around(x.shape(), axis);
  if (k < 0 || k > lanes.n) {
    ctx.fail("k = " + std::to_string(k) + " is outside [0, " + std::to_string(lanes.n) + "]");
  }
  const bool largest = ctx.node().attr_int("largest", 1) != 0;
  Shape out_shape = x.shape();
  out_shape[static_cast<size_t>(axis)] = k;
  Tensor& values = ctx.make_output(0, x.dtype(), out_shape);
  int64_t* indices = ctx.make_output(1, DataType::kInt64, out_shape).data<int64_t>();
  const AxisLanes out_lanes{lanes.outer, k, lanes.inner};
  dispatch_numeric(ctx, x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* in = x.data<T>();
    T* out = values.data<T>();
    parallel_for(ctx.threads(), lanes.lanes(), [&](int64_t begin, int64_t end) {
      std::vector<int64_t> order(static_cast<size_t>(lanes.n));
      for (int64_t lane = begin; lane < end; ++lane) {
        const T* v = in + lanes.lane_start(lane);
        auto ranks_before = [&](int64_t a, int64_t b) {
          const T va = v[a * lanes.inner], vb = v[b * lanes.inner];
          const bool better = largest ? value_less(vb, va) : value_less(va, vb);
          const bool worse = largest ? value_less(va, vb) : value_less(vb, va);
          return better || (!worse && a < b);
        };
        std::iota(order.begin(), order.end(), int64_t{0});
        std::partial_sort(order.begin(), order.begin() + k, order.end(), ranks_before);
        const int64_t start = out_lanes.lane_start(lane);
        for (int64_t j = 0; j < k; ++j) {
          out[start + j * lanes.inner] = v[order[static_cast<size_t>(j)] * lanes.inner];
          indices[start + j * lanes.inner] = order[static_cast<size_t>(j)];
        }
      }
    });
  });
}

/// CumSum: y[k] = Σ x[j] along the axis (a scalar input), over j <= k, or j < k
/// when exclusive, or j >= k / j > k when reverse.
void cum_sum_kernel(OpContext& ctx) {
  const Tensor& x = ctx.input(0);
  Tensor& y = ctx.make_output(0, x.dtype(), x.shape());
  const std::vector<int64_t> axis_input = input_as_int64(ctx, 1);
  if (axis_input.size() != 1) ctx.fail("input axis must hold exactly one value");
  const AxisLanes lanes = lanes_around(x.shape(), lane_axis(ctx, axis_input[0], x.shape()));
  const bool exclusive = ctx.node().attr_int("exclusive", 0) != 0;
  const bool reverse = ctx.node().attr_int("reverse", 0) != 0;
  dispatch_numeric(ctx, x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    for_each_lane(ctx, lanes, x.data<T>(), y.data<T>(), [&](const T* v, T* w) {
      AccumulatorOf<T> sum{0};
      for (int64_t s = 0; s < lanes.n; ++s) {
        const int64_t at = (reverse ? lanes.n - 1 - s : s) * lanes.inner;
        if (exclusive) w[at] = static_cast<T>(sum);
        sum += static_cast<AccumulatorOf<T>>(v[at]);
        if (!exclusive) w[at] = static_cast<T>(sum);
      }
    });
  });
}

}  // namespace

void register_reduce_ops(OpRegistry& registry) {
  registry.add("ReduceSum", &reduce_kernel<Reduction::kSum>);
  registry.add("ReduceMean", &reduce_kernel<Reduction::kMean>);
  registry.add("ReduceMax", &reduce_kernel<Reduction::kMax>);
  registry.add("ReduceMin", &reduce_kernel<Reduction::kMin>);
  registry.add("ReduceProd", &reduce_kernel<Reduction::kProd>);
  registry.add("ReduceL1", &reduce_kernel<Reduction::kL1>);
  registry.add("ReduceL2", &reduce_kernel<Reduction::kL2>);
  registry.add("ReduceSumSquare", &reduce_kernel<Reduction::kSumSquare>);
  registry.add("ReduceLogSum", &reduce_kernel<Reduction::kLogSum>);
  registry.add("ReduceLogSumExp", &reduce_kernel<Reduction::kLogSumExp>);
  registry.add("ArgMax", &arg_extreme_kernel<true>);
  registry.add("ArgMin", &arg_extreme_kernel<false>);
  registry.add("TopK", &top_k_kernel);
  registry.add("CumSum", &cum_sum_kernel);
}

}  // namespace ptqc
