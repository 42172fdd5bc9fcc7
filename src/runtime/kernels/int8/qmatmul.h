#pragma once
/// \file
/// QMatMul (docs/quantization.md): y[..., n] = bias[n] + Σ_k (x[..., k] - x_offset) · (w[k, n] - w_offset)
/// with int8 x and w and int32 results (two's-complement wrap-around, so exact whenever the
/// true sum fits int32, and identical in the reference and every fast path for all inputs).
/// Constant weights are symmetric (w_offset = 0); QBatchMatMul, whose right operand is an
/// activation, runs one such product per matrix.

#include <cstdint>
#include <vector>

#include "runtime/kernels/int8/int8_util.h"
#include "runtime/kernels/int8/output_stage.h"
#include "runtime/kernels/kernel_util.h"

namespace ptqc {

/// One QMatMul evaluation, checked: x is rows × depth (its leading dims flattened), w depth × cols.
struct QMatMulProblem {
  int64_t rows = 0;
  int64_t depth = 0;
  int64_t cols = 0;
  int32_t x_offset = 0;
  int32_t w_offset = 0;
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

/// A QMatMul's w in the form its fast GEMM reads (built once per node, OpContext::prepared):
/// R = w packed into panels (qgemm.h; the same for every instruction set) and its column
/// corrections col_add[n] = bias[n] - (128 + x_offset) · Σ_k w[k, n].
struct PackedMatMulWeights : PreparedState {
  std::vector<uint8_t> panels;
  std::vector<int32_t> col_add;
};

/// \p p's w and bias packed for qmatmul_fast, the panels shared out among \p threads.
PackedMatMulWeights pack_qmatmul_weights(const QMatMulProblem& p, int threads);

/// QMatMul, fast: the GEMM of qgemm.h with L = x shifted to uint8 (x + 128), R and col_add
/// from \p weights (= pack_qmatmul_weights(p, ...)) and, when w_offset is not 0,
/// row_add[i] = -w_offset · Σ_k (x[i, k] - x_offset); the accumulators of each block go through
/// \p y's output stage while in cache.
void qmatmul_fast(const QMatMulProblem& p, const PackedMatMulWeights& weights, const Int8Run& run,
                  const ProductOutput& y);

/// One QBatchMatMul evaluation: the NumPy matmul of int8 activations a [..., M, K] and
/// b [..., K, N] (leading dims broadcast), y[i] = Σ_k (a[i, k] - x_offset) · (b[k, j] - b_offset).
struct QBatchMatMulProblem {
  MatMulBatches layout;
  int32_t a_offset = 0;
  int32_t b_offset = 0;
  const int8_t* a = nullptr;
  const int8_t* b = nullptr;

  /// The product of Y's matrix \p i as a QMatMul problem.
  QMatMulProblem matrix(int64_t i) const;
};

/// The problem of a QBatchMatMul node: inputs a and b (int8), attributes x_offset and b_offset.
QBatchMatMulProblem qbatch_matmul_problem(const OpContext& ctx);

/// QBatchMatMul by definition (qmatmul_reference per matrix). \p y holds Y's values.
void qbatch_matmul_reference(const QBatchMatMulProblem& p, int32_t* y);

/// QBatchMatMul, fast: qmatmul_fast per matrix, the matrices shared out among the threads.
void qbatch_matmul_fast(const QBatchMatMulProblem& p, const Int8Run& run, int32_t* y);

}  // namespace ptqc
