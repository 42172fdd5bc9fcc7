#pragma once
/// \file
/// The two loops behind the elementwise and activation kernels: a unary map
/// y[i] = f(x[i]) and a broadcast binary map y[i] = f(a[ia], b[ib]). Both split
/// big tensors over threads, with tight loops for the same-shape and scalar cases.

#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "runtime/kernels/kernel_util.h"

namespace ptqc {

/// Below this many elements a loop runs on one thread (thread start-up would cost more).
inline constexpr int64_t kParallelMinElements = int64_t{1} << 16;

/// The thread count for a loop over \p n elements.
inline int threads_for(const OpContext& ctx, int64_t n) { return n >= kParallelMinElements ? ctx.threads() : 1; }

/// Output 0, of element type R and \p x's shape, with y[i] = fn(x[i]). Like every helper here,
/// it declares the output before it reads an input's elements (shape inference stops there).
template <class T, class R, class Fn>
void map_output(OpContext& ctx, const Tensor& x, Fn fn) {
  map_into<T, R>(ctx, x, ctx.make_output(0, dtype_of<R>(), x.shape()), fn);
}

/// y[i] = fn(x[i]) into an existing \p y of x's shape (y may be x itself).
template <class T, class R, class Fn>
void map_into(OpContext& ctx, const Tensor& x, Tensor& y, Fn fn) {
  const T* in = x.data<T>();
  R* out = y.data<R>();
  parallel_for(threads_for(ctx, x.numel()), x.numel(), [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) out[i] = fn(in[i]);
  });
}

/// The dispatch callback that sets output 0 to fn(x) elementwise in x's element type.
template <class Fn>
auto map_to_output(OpContext& ctx, const Tensor& x, const Fn& fn) {
  return [&ctx, &x, &fn](auto tag) {
    using T = decltype(tag);
    map_output<T, T>(ctx, x, fn);
  };
}

/// Output 0 = fn(input 0) elementwise, for float32/float64 inputs; fn is a generic
/// callable (T) -> T.
template <class Fn>
void map_float_input(OpContext& ctx, Fn fn) {
  const Tensor& x = ctx.input(0);
  dispatch_float(ctx, x.dtype(), map_to_output(ctx, x, fn));
}

/// Output 0 = fn(input 0) elementwise, for every numeric input type.
template <class Fn>
void map_numeric_input(OpContext& ctx, Fn fn) {
  const Tensor& x = ctx.input(0);
  dispatch_numeric(ctx, x.dtype(), map_to_output(ctx, x, fn));
}

/// Elements per block of the vectorised map. Blocks, not threads, decide where the
/// vector loop's scalar tail falls, so results do not depend on the thread count.
inline constexpr int64_t kVectorBlock = 4096;

/// Output 0 = f(input 0) elementwise for float32/float64: float32 through the span function
/// \p span (activation_span.h) over runs of whole kVectorBlock blocks shared out among the
/// threads, float64 through the scalar \p scalar.
template <class Span, class Scalar>
void map_float_span(OpContext& ctx, Span span, Scalar scalar) {
  const Tensor& x = ctx.input(0);
  if (x.dtype() != DataType::kFloat32) return map_float_input(ctx, scalar);
  Tensor& y = ctx.make_output(0, DataType::kFloat32, x.shape());
  const float* in = x.data<float>();
  float* out = y.data<float>();
  const int64_t n = x.numel();
  const int64_t blocks = (n + kVectorBlock - 1) / kVectorBlock;
  parallel_for(threads_for(ctx, n), blocks, [&](int64_t begin, int64_t end) {
    const int64_t first = begin * kVectorBlock;
    span(in + first, std::min(end * kVectorBlock, n) - first, out + first);
  });
}

/// Output 0 = f(input 0) elementwise for float32/float64. float32 goes through
/// \p vec, a callable mapping an Eigen float array block to an array expression
/// (Eigen's SIMD exp/logistic/tanh/erf), one kVectorBlock block at a time (runs given to a
/// span start on a block boundary); float64 through the scalar \p scalar.
template <class Vec, class Scalar>
void map_float_vectorized(OpContext& ctx, Vec vec, Scalar scalar) {
  const auto blockwise = [&vec](const float* in, int64_t n, float* out) {
    for (int64_t first = 0; first < n; first += kVectorBlock) {
      const int64_t count = std::min(kVectorBlock, n - first);
      Eigen::Map<Eigen::ArrayXf>(out + first, count) = vec(Eigen::Map<const Eigen::ArrayXf>(in + first, count));
    }
  };
  map_float_span(ctx, blockwise, scalar);
}

/// A broadcast walk over fewer, longer dims: size-1 output dims are dropped and
/// neighbours d, d+1 are merged when both inputs step through them as one run
/// (stride[d] == stride[d+1] * dim[d+1]). Same element order, so the loops see
/// e.g. NxCxHxW + 1xCx1x1 as N x C x (H*W), one bias value per run of H*W.
struct BroadcastWalk {
  Shape shape;
  std::vector<int64_t> strides_a;
  std::vector<int64_t> strides_b;
};

/// The coalesced walk of an output of shape \p out read through \p strides_a and \p strides_b.
inline BroadcastWalk coalesce_broadcast(const Shape& out, const std::vector<int64_t>& strides_a,
                                        const std::vector<int64_t>& strides_b) {
  BroadcastWalk walk;
  for (size_t d = 0; d < out.size(); ++d) {
    if (out[d] == 1) continue;
    const bool merges = !walk.shape.empty() && walk.strides_a.back() == strides_a[d] * out[d] &&
                        walk.strides_b.back() == strides_b[d] * out[d];
    if (merges) {
      walk.shape.back() *= out[d];
      walk.strides_a.back() = strides_a[d];
      walk.strides_b.back() = strides_b[d];
    } else {
      walk.shape.push_back(out[d]);
      walk.strides_a.push_back(strides_a[d]);
      walk.strides_b.push_back(strides_b[d]);
    }
  }
  if (walk.shape.empty()) walk = {{1}, {0}, {0}};
  return walk;
}

/// Writes op(a, b) over the ONNX multidirectional (NumPy) broadcast of \p a and \p b, both of
/// element type T, into \p y. \pre y has element type R and the broadcast shape.
template <class T, class R, class Op>
void broadcast_into(OpContext& ctx, const Tensor& a, const Tensor& b, Tensor& y, Op op) {
  const Shape& out_shape = y.shape();
  const T* pa = a.data<T>();
  const T* pb = b.data<T>();
  R* out = y.data<R>();
  const int64_t n = y.numel();
  const int threads = threads_for(ctx, n);
  if (a.shape() == b.shape()) {
    parallel_for(threads, n, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) out[i] = op(pa[i], pb[i]);
    });
  } else if (b.numel() == 1 && a.shape() == out_shape) {
    const T s = pb[0];
    parallel_for(threads, n, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) out[i] = op(pa[i], s);
    });
  } else if (a.numel() == 1 && b.shape() == out_shape) {
    const T s = pa[0];
    parallel_for(threads, n, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) out[i] = op(s, pb[i]);
    });
  } else if (n > 0) {
    const BroadcastWalk walk = coalesce_broadcast(out_shape, broadcast_strides(a.shape(), out_shape),
                                                  broadcast_strides(b.shape(), out_shape));
    // Threads take disjoint ranges of the outermost dim and walk the rest themselves.
    const int64_t rows = walk.shape[0];
    const int64_t row_size = n / rows;
    parallel_for(threads, rows, [&](int64_t begin, int64_t end) {
      Shape part = walk.shape;
      part[0] = end - begin;
      const T* ra = pa + begin * walk.strides_a[0];
      const T* rb = pb + begin * walk.strides_b[0];
      R* ro = out + begin * row_size;
      for_each_broadcast(part, walk.strides_a, walk.strides_b,
                         [&](int64_t o, int64_t ia, int64_t ib) { ro[o] = op(ra[ia], rb[ib]); });
    });
  }
}

/// Output 0 = op(a, b) over the broadcast of \p a and \p b (see broadcast_into).
template <class T, class R, class Op>
void broadcast_output(OpContext& ctx, const Tensor& a, const Tensor& b, Op op) {
  Tensor& y = ctx.make_output(0, dtype_of<R>(), broadcast_shapes(ctx, a.shape(), b.shape()));
  broadcast_into<T, R>(ctx, a, b, y, op);
}

/// A new tensor holding op(a, b) over the broadcast (for intermediate results).
template <class T, class R, class Op>
Tensor broadcast_elements(OpContext& ctx, const Tensor& a, const Tensor& b, Op op) {
  Tensor y(dtype_of<R>(), broadcast_shapes(ctx, a.shape(), b.shape()), ctx.allocator());
  broadcast_into<T, R>(ctx, a, b, y, op);
  return y;
}

}  // namespace ptqc
