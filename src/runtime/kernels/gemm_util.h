#pragma once
/// \file
/// The matrix product every dense kernel builds on (Gemm, MatMul, Conv,
/// ConvTranspose): a BLAS-style GEMM over row-major strided matrices, computed
/// by oneDNN (float32) or Eigen and split into fixed tiles so the result does not depend on the
/// thread count.

#include <cstdint>

namespace ptqc {

/// Operand layout of gemm(): an m×k (A) or k×n (B) matrix read from row-major
/// memory with row stride \p ld; when \p transposed the memory holds the
/// transpose (k×m for A, n×k for B) and is read as such.
template <class T>
struct GemmOperand {
  const T* data = nullptr;
  int64_t ld = 0;
  bool transposed = false;
};

/// C = alpha·A·B + (accumulate ? C : 0), with C an m×n row-major matrix of row
/// stride \p ldc. Each element is the same k-ordered sum whatever \p threads is:
/// the work is cut into tiles along m or n (never k) whose bounds depend only on
/// m, n and k, and the tiles are shared out among the threads.
/// \pre the operands hold the stated matrices and do not overlap C.
/// Instantiated for float, double, int32_t and int64_t.
template <class T>
void gemm(int64_t m, int64_t n, int64_t k, T alpha, GemmOperand<T> a, GemmOperand<T> b, T* c, int64_t ldc,
          bool accumulate, int threads);

}  // namespace ptqc
