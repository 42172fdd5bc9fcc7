#pragma once
/// \file
/// QMatMul (docs/quantization.md): y[..., n] = bias[n] + Σ_k (x[..., k] - x_offset) · w[k, n]
/// with int8 x and w and int32 results (two's-complement wrap-around, so exact whenever the
/// true sum fits int32, and identical in the reference and every fast path for all inputs).

#include <cstdint>

#include "runtime/kernels/int8/int8_util.h"

namespace ptqc {

/// One QMatMul evaluation, checked: x is rows × depth (its leading dims flattened), w depth × cols.
struct QMatMulProblem {
  int64_t rows = 0;
  int64_t depth = 0;
  int64_t cols = 0;
  int32_t x_offset = 0;
  const int8_t* x = nullptr;
  const int8_t* w = nullptr;
  const int32_t* bias = nullptr;  ///< cols values, or nullptr.
  Shape output_shape;             ///< x's leading dims, then cols.
};

/// The problem of a QMatMul node: inputs x (int8, [..., K]), w (int8, [K, N]), optional bias
/// (int32, [N]); attribute x_offset.
QMatMulProblem qmatmul_problem(const OpContext& ctx);

/// QMatMul by definition, sums in int64 reduced mod 2^32. \p y holds rows × cols values.
void qmatmul_reference(const QMatMulProblem& p, int32_t* y);

/// QMatMul, fast: the GEMM of qgemm.h with L = x shifted to uint8 (x + 128) and R = w packed
/// once per call, col_add[n] = bias[n] - (128 + x_offset) · Σ_k w[k, n].
void qmatmul_fast(const QMatMulProblem& p, const Int8Run& run, int32_t* y);

}  // namespace ptqc
