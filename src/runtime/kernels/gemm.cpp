/// \file
/// Gemm and MatMul, both on the shared tiled GEMM of gemm_util.h.

#include <algorithm>

#include "runtime/kernels/gemm_util.h"
#include "runtime/kernels/kernel_util.h"
#include "runtime/op_registry.h"
#include "runtime/quant_traits.h"

namespace ptqc {

namespace {

/// Calls fn(T{}) for the element types the GEMM is built for (float, double, int32, int64).
template <class Fn>
void dispatch_gemm_type(const OpContext& ctx, DataType dtype, Fn&& fn) {
  switch (dtype) {
    case DataType::kInt32: fn(int32_t{}); return;
    case DataType::kInt64: fn(int64_t{}); return;
    default: dispatch_float(ctx, dtype, fn);
  }
}

/// Y = beta·C broadcast to M × N (C is a scalar, a row, a column or the full matrix).
template <class T>
void fill_with_bias(const OpContext& ctx, const Tensor& c, T beta, int64_t m, int64_t n, T* y) {
  const Shape& s = c.shape();
  if (s.size() > 2) ctx.fail("C must have rank <= 2, got " + shape_string(s));
  const int64_t rows = s.size() == 2 ? s[0] : 1;
  const int64_t cols = s.empty() ? 1 : s.back();
  if ((rows != 1 && rows != m) || (cols != 1 && cols != n)) {
    ctx.fail("C " + shape_string(s) + " does not broadcast to " + std::to_string(m) + "x" + std::to_string(n));
  }
  const T* cv = c.data<T>();
  for (int64_t i = 0; i < m; ++i) {
    const T* c_row = cv + (rows == 1 ? 0 : i * cols);
    for (int64_t j = 0; j < n; ++j) y[i * n + j] = beta * c_row[cols == 1 ? 0 : j];
  }
}

template <class T>
void gemm_typed(OpContext& ctx) {
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(1);
  const Tensor* c = ctx.optional_input(2);
  if (a.rank() != 2 || b.rank() != 2) ctx.fail("A and B must be matrices, got " + shape_string(a.shape()) + " and " + shape_string(b.shape()));
  if (b.dtype() != a.dtype() || (c && c->dtype() != a.dtype())) ctx.fail("inputs must share one element type");
  const bool trans_a = ctx.node().attr_int("transA", 0) != 0;
  const bool trans_b = ctx.node().attr_int("transB", 0) != 0;
  const int64_t m = trans_a ? a.dim(1) : a.dim(0), k = trans_a ? a.dim(0) : a.dim(1);
  const int64_t n = trans_b ? b.dim(0) : b.dim(1);
  if ((trans_b ? b.dim(1) : b.dim(0)) != k) {
    ctx.fail("op(A) " + std::to_string(m) + "x" + std::to_string(k) + " and B " + shape_string(b.shape()) +
             (trans_b ? " (transposed)" : "") + " do not multiply");
  }
  const T alpha = static_cast<T>(ctx.node().attr_float("alpha", 1.0f));
  const T beta = static_cast<T>(ctx.node().attr_float("beta", 1.0f));
  T* y = ctx.make_output(0, a.dtype(), {m, n}).template data<T>();
  const bool with_bias = c && beta != T{0};
  if (with_bias) fill_with_bias(ctx, *c, beta, m, n, y);
  gemm<T>(m, n, k, alpha, {a.data<T>(), a.dim(1), trans_a}, {b.data<T>(), b.dim(1), trans_b}, y, n, with_bias,
          ctx.threads());
}

/// Gemm (opset 7/9/11/13): Y = alpha·op(A)·op(B) + beta·C, op = optional transpose, C broadcast to Y.
void gemm_op(OpContext& ctx) {
  dispatch_gemm_type(ctx, ctx.input(0).dtype(), [&](auto t) { gemm_typed<decltype(t)>(ctx); });
}

template <class T>
void matmul_typed(OpContext& ctx) {
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(1);
  if (b.dtype() != a.dtype()) ctx.fail("inputs must share one element type");
  const MatMulBatches l = matmul_batches(ctx, a.shape(), b.shape());
  const int64_t m = l.m, k = l.k, n = l.n;
  T* y = ctx.make_output(0, a.dtype(), l.output).template data<T>();
  const T* av = a.data<T>();
  const T* bv = b.data<T>();
  const std::vector<int64_t>& a_index = l.a_index;
  const std::vector<int64_t>& b_index = l.b_index;
  const int64_t count = static_cast<int64_t>(a_index.size());
  const bool shared_b = std::all_of(b_index.begin(), b_index.end(), [&](int64_t i) { return i == b_index[0]; });
  if (count > 1 && shared_b && l.a_in_order) {
    // Every A matrix meets the same B: stack them into one (count·M) × K matrix.
    gemm<T>(count * m, n, k, T{1}, {av, k, false}, {bv + b_index[0] * k * n, n, false}, y, n, false, ctx.threads());
    return;
  }
  // Many small products run one per thread; few large ones use all threads each.
  const int inner_threads = count >= ctx.threads() ? 1 : ctx.threads();
  parallel_for(ctx.threads() / inner_threads, count, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      gemm<T>(m, n, k, T{1}, {av + a_index[static_cast<size_t>(i)] * m * k, k, false},
              {bv + b_index[static_cast<size_t>(i)] * k * n, n, false}, y + i * m * n, n, false, inner_threads);
    }
  });
}

/// MatMul (opset 1/9/13): NumPy matmul — 1-D operands promoted to matrices, leading dims broadcast.
void matmul(OpContext& ctx) {
  dispatch_gemm_type(ctx, ctx.input(0).dtype(), [&](auto t) { matmul_typed<decltype(t)>(ctx); });
}

}  // namespace

void register_gemm_ops(OpRegistry& registry) {
  registry.add("Gemm", &gemm_op, "", OpTraits{.quant = &kGemmQuantTraits});
  registry.add("MatMul", &matmul, "", OpTraits{.quant = &kMatMulQuantTraits});
}

}  // namespace ptqc
