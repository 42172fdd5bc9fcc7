/// \file
/// The reference QMatMul and QBatchMatMul, and the reading of their nodes.

#include "runtime/kernels/int8/qmatmul.h"

namespace ptqc {

QMatMulProblem qmatmul_problem(const OpContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Tensor& w = ctx.input(1);
  expect_dtype(ctx, x, DataType::kInt8, "input x");
  expect_dtype(ctx, w, DataType::kInt8, "weights");
  if (x.rank() < 1) ctx.fail("input x must have rank >= 1");
  if (w.rank() != 2 || w.dim(0) != x.shape().back()) {
    ctx.fail("weights must have shape " + std::to_string(x.shape().back()) + "xN for input " + shape_string(x.shape()) +
             ", got " + shape_string(w.shape()));
  }
  QMatMulProblem p;
  p.depth = w.dim(0);
  p.cols = w.dim(1);
  p.rows = shape_numel(Shape(x.shape().begin(), x.shape().end() - 1));
  p.x_offset = offset_attribute(ctx, "x_offset");
  p.x = x.has_values() ? x.data<int8_t>() : nullptr;  // abstract in shape inference, which stops at make_output
  p.w = w.data<int8_t>();
  p.bias = bias_input(ctx, 2, p.cols);
  p.output_shape = x.shape();
  p.output_shape.back() = p.cols;
  return p;
}

void qmatmul_reference(const QMatMulProblem& p, int32_t* y) {
  for (int64_t i = 0; i < p.rows; ++i) {
    for (int64_t n = 0; n < p.cols; ++n) {
      int64_t acc = p.bias ? p.bias[n] : 0;
      for (int64_t k = 0; k < p.depth; ++k) acc += (p.x[i * p.depth + k] - int64_t{p.x_offset}) * (p.w[k * p.cols + n] - int64_t{p.w_offset});
      y[i * p.cols + n] = static_cast<int32_t>(acc);
    }
  }
}

QMatMulProblem QBatchMatMulProblem::matrix(int64_t i) const {
  QMatMulProblem p;
  p.rows = layout.m;
  p.depth = layout.k;
  p.cols = layout.n;
  p.x_offset = a_offset;
  p.w_offset = b_offset;
  p.x = a + layout.a_index[static_cast<size_t>(i)] * layout.m * layout.k;
  p.w = b + layout.b_index[static_cast<size_t>(i)] * layout.k * layout.n;
  return p;
}

QBatchMatMulProblem qbatch_matmul_problem(const OpContext& ctx) {
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(1);
  expect_dtype(ctx, a, DataType::kInt8, "input a");
  expect_dtype(ctx, b, DataType::kInt8, "input b");
  QBatchMatMulProblem p;
  p.layout = matmul_batches(ctx, a.shape(), b.shape());
  p.a_offset = offset_attribute(ctx, "x_offset");
  p.b_offset = offset_attribute(ctx, "b_offset");
  p.a = a.has_values() ? a.data<int8_t>() : nullptr;  // abstract in shape inference, which stops at make_output
  p.b = b.has_values() ? b.data<int8_t>() : nullptr;
  return p;
}

void qbatch_matmul_reference(const QBatchMatMulProblem& p, int32_t* y) {
  const int64_t size = p.layout.m * p.layout.n;
  for (size_t i = 0; i < p.layout.a_index.size(); ++i) qmatmul_reference(p.matrix(static_cast<int64_t>(i)), y + static_cast<int64_t>(i) * size);
}

}  // namespace ptqc
