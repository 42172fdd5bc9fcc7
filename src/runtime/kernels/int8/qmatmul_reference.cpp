/// \file
/// The reference QMatMul and the reading of QMatMul nodes.

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
      for (int64_t k = 0; k < p.depth; ++k) acc += (p.x[i * p.depth + k] - int64_t{p.x_offset}) * p.w[k * p.cols + n];
      y[i * p.cols + n] = static_cast<int32_t>(acc);
    }
  }
}

}  // namespace ptqc
