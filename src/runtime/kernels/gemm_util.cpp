// EIGEN_DONT_PARALLELIZE is set for the whole library (CMakeLists.txt): threads come
// from parallel_for, and a kernel asked for one thread must use one.
#include "runtime/kernels/gemm_util.h"

// GCC 12 flags the deliberately undefined registers of Eigen's AVX-512 shuffles.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wunused-variable"
#include <Eigen/Core>
#pragma GCC diagnostic pop
#include <dnnl.h>
#include <omp.h>

#include <algorithm>

#include "ptqc/error.h"
#include "runtime/kernels/kernel_util.h"

namespace ptqc {

namespace {

/// Tile edge along the split dimension. A multiple of every Eigen register
/// block size, large enough that re-packing the other operand per tile is cheap.
constexpr int64_t kTileEdge = 384;

template <class T>
using RowMajorMatrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using ConstMatrixMap = Eigen::Map<const RowMajorMatrix<T>, Eigen::Unaligned, Eigen::OuterStride<>>;
template <class T>
using MatrixMap = Eigen::Map<RowMajorMatrix<T>, Eigen::Unaligned, Eigen::OuterStride<>>;

/// The stored (untransposed) matrix of an operand that reads as rows×cols.
template <class T>
ConstMatrixMap<T> stored(const GemmOperand<T>& op, int64_t rows, int64_t cols) {
  return op.transposed ? ConstMatrixMap<T>(op.data, cols, rows, Eigen::OuterStride<>(op.ld))
                       : ConstMatrixMap<T>(op.data, rows, cols, Eigen::OuterStride<>(op.ld));
}

/// C += alpha·A·B on one tile, by Eigen's blocked GEMM (or its small-size path);
/// float32 is specialised below.
template <class T>
void accumulate_product(int64_t m, int64_t n, int64_t k, T alpha, const GemmOperand<T>& a, const GemmOperand<T>& b,
                        T* c, int64_t ldc) {
  MatrixMap<T> cm(c, m, n, Eigen::OuterStride<>(ldc));
  const ConstMatrixMap<T> am = stored(a, m, k);
  const ConstMatrixMap<T> bm = stored(b, k, n);
  if (!a.transposed && !b.transposed) cm.noalias() += alpha * am * bm;
  if (!a.transposed && b.transposed) cm.noalias() += alpha * am * bm.transpose();
  if (a.transposed && !b.transposed) cm.noalias() += alpha * am.transpose() * bm;
  if (a.transposed && b.transposed) cm.noalias() += alpha * am.transpose() * bm.transpose();
}

/// float32 tiles go to oneDNN's sgemm (Debian's libdnnl: 1.5-3x Eigen's GEMM on this
/// CPU class, see docs/benchmarks.md). oneDNN threads through OpenMP's default team
/// size; ptqc's threads come from parallel_for (explicit num_threads), so the default
/// is set to 1 and each tile is one single-threaded, deterministic sgemm call.
template <>
void accumulate_product<float>(int64_t m, int64_t n, int64_t k, float alpha, const GemmOperand<float>& a,
                               const GemmOperand<float>& b, float* c, int64_t ldc) {
  if (!omp_in_parallel()) omp_set_num_threads(1);
  const dnnl_status_t status = dnnl_sgemm(a.transposed ? 'T' : 'N', b.transposed ? 'T' : 'N', m, n, k, alpha, a.data,
                                          a.ld, b.data, b.ld, 1.0f, c, ldc);
  if (status != dnnl_success) throw Error(ErrorCode::kInternal, "dnnl_sgemm failed with status " + std::to_string(status));
}

/// The operand that reads rows [first, ...) of A (as_rows) or columns [first, ...) of B.
template <class T>
GemmOperand<T> skip(GemmOperand<T> op, int64_t first, bool as_rows) {
  // Rows of an untransposed matrix and columns of a transposed one are ld apart.
  op.data += as_rows != op.transposed ? first * op.ld : first;
  return op;
}

}  // namespace

template <class T>
void gemm(int64_t m, int64_t n, int64_t k, T alpha, GemmOperand<T> a, GemmOperand<T> b, T* c, int64_t ldc,
          bool accumulate, int threads) {
  if (m <= 0 || n <= 0) return;
  const bool split_columns = n >= m;
  const int64_t extent = split_columns ? n : m;
  const int64_t tiles = (extent + kTileEdge - 1) / kTileEdge;
  parallel_for(threads, tiles, [&](int64_t first_tile, int64_t end_tile) {
    for (int64_t t = first_tile; t < end_tile; ++t) {
      const int64_t begin = t * kTileEdge;
      const int64_t size = std::min(kTileEdge, extent - begin);
      const int64_t rows = split_columns ? m : size;
      const int64_t cols = split_columns ? size : n;
      T* tile = split_columns ? c + begin : c + begin * ldc;
      if (!accumulate) {
        for (int64_t i = 0; i < rows; ++i) std::fill_n(tile + i * ldc, cols, T{0});
      }
      if (k <= 0) continue;
      if (split_columns) {
        accumulate_product(rows, cols, k, alpha, a, skip(b, begin, false), tile, ldc);
      } else {
        accumulate_product(rows, cols, k, alpha, skip(a, begin, true), b, tile, ldc);
      }
    }
  });
}

template void gemm<float>(int64_t, int64_t, int64_t, float, GemmOperand<float>, GemmOperand<float>, float*, int64_t,
                          bool, int);
template void gemm<double>(int64_t, int64_t, int64_t, double, GemmOperand<double>, GemmOperand<double>, double*,
                           int64_t, bool, int);
template void gemm<int32_t>(int64_t, int64_t, int64_t, int32_t, GemmOperand<int32_t>, GemmOperand<int32_t>, int32_t*,
                            int64_t, bool, int);
template void gemm<int64_t>(int64_t, int64_t, int64_t, int64_t, GemmOperand<int64_t>, GemmOperand<int64_t>, int64_t*,
                            int64_t, bool, int);

}  // namespace ptqc
