#pragma once
/// \file
/// Iteration helpers shared by the reducing kernels (Reduce*, ArgMax, TopK,
/// CumSum) and the normalizations that reduce before they scale (Softmax,
/// LpNormalization, MeanVarianceNormalization).

#include <cstdint>
#include <type_traits>
#include <vector>

#include "runtime/kernels/kernel_util.h"
#include "runtime/op_context.h"

namespace ptqc {

/// A tensor seen as [outer, n, inner] around one axis: element (o, k, i) lies at
/// (o * n + k) * inner + i, so the n elements of lane (o, i) are inner apart.
struct AxisLanes {
  int64_t outer = 1;
  int64_t n = 1;
  int64_t inner = 1;

  int64_t lanes() const { return outer * inner; }
  /// Offset of element 0 of lane \p lane (lanes numbered o * inner + i).
  int64_t lane_start(int64_t lane) const { return (lane / inner) * n * inner + lane % inner; }
};

/// \p axis of \p shape normalised to [0, rank); a scalar or an out-of-range axis fails the node.
int64_t lane_axis(const OpContext& ctx, int64_t axis, const Shape& shape);

/// Calls fn(x_lane, y_lane) for every lane of \p lanes, in parallel: pointers to
/// element 0 of the lane in \p x and in \p y (same layout); element k lies
/// k * lanes.inner further on.
template <class T, class Fn>
void for_each_lane(const OpContext& ctx, const AxisLanes& lanes, const T* x, T* y, Fn&& fn) {
  parallel_for(ctx.threads(), lanes.lanes(), [&](int64_t begin, int64_t end) {
    for (int64_t lane = begin; lane < end; ++lane) fn(x + lanes.lane_start(lane), y + lanes.lane_start(lane));
  });
}

/// \p shape split around axis \p axis (\pre 0 <= axis < rank).
AxisLanes lanes_around(const Shape& shape, int64_t axis);

/// \p shape split at \p axis into [prod(shape[:axis]), prod(shape[axis:]), 1]:
/// the 2-D coercion of the opset < 13 Softmax family.
AxisLanes rows_from(const Shape& shape, int64_t axis);

/// Which axes a reduction folds: \p axes normalised against \p rank; duplicates fail the node.
std::vector<bool> reduced_axes_mask(const OpContext& ctx, const std::vector<int64_t>& axes, int64_t rank);

/// The shape after folding the axes of \p reduced: kept as 1 when \p keepdims, dropped otherwise.
Shape reduced_shape(const Shape& input, const std::vector<bool>& reduced, bool keepdims);

/// For each output element of a reduction, the input elements that fold into it.
/// Adjacent axes that are both kept or both reduced are merged first, so folding
/// trailing axes of a contiguous tensor becomes a single contiguous run.
/// Output elements are numbered in row-major order of the kept axes, which is
/// the layout of the reduced tensor with or without keepdims.
class ReductionPlan {
 public:
  ReductionPlan(const Shape& input, const std::vector<bool>& reduced);

  /// Number of output elements (product of the kept dims).
  int64_t output_count() const { return output_count_; }
  /// Number of input elements folded into each output element.
  int64_t reduced_count() const { return static_cast<int64_t>(outer_offsets_.size()) * run_length_; }
  /// Input offset of the first element folded into output element \p o.
  int64_t base_offset(int64_t o) const;
  /// Calls fn(offset) for every input element folded into the output element
  /// whose base offset is \p base, always in the same order.
  template <class Fn>
  void for_each_offset(int64_t base, Fn&& fn) const {
    for (int64_t outer : outer_offsets_) {
      const int64_t start = base + outer;
      for (int64_t j = 0; j < run_length_; ++j) fn(start + j * run_stride_);
    }
  }

 private:
  int64_t output_count_ = 1;
  std::vector<int64_t> kept_dims_;
  std::vector<int64_t> kept_strides_;
  std::vector<int64_t> outer_offsets_;  // one per combination of the reduced axes but the innermost
  int64_t run_length_ = 1;              // the innermost reduced axis
  int64_t run_stride_ = 1;
};

/// Accumulator type: double for floating inputs, 64-bit integers otherwise.
template <class T>
using AccumulatorOf = std::conditional_t<std::is_floating_point_v<T>, double,
                                         std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>>;

}  // namespace ptqc
