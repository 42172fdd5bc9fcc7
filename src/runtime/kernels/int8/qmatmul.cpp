/// \file
/// The fast QMatMul: w packed into panels once per node (with the per-column corrections),
/// then blocks of x's rows packed as shifted row tiles and multiplied by every panel group.

#include "runtime/kernels/int8/qmatmul.h"

#include <algorithm>
#include <vector>

#include "runtime/kernels/int8/int8_kernels.h"
#include "runtime/kernels/int8/qgemm.h"
#include "runtime/kernels/kernel_util.h"

namespace ptqc {

namespace {

/// Bytes of shifted x rows per block: they stay in L2 while every panel group passes.
constexpr int64_t kRowBlockBytes = 256 * 1024;

/// row_add[i] = -w_offset · Σ_k (x[i, k] - x_offset) (mod 2^32): with it the product of the
/// symmetric w gives Σ_k (x[i, k] - x_offset) · (w[k, n] - w_offset). Empty when w_offset is 0.
std::vector<int32_t> row_corrections(const QMatMulProblem& p) {
  if (p.w_offset == 0) return {};
  std::vector<int32_t> row_add(static_cast<size_t>(p.rows));
  for (int64_t i = 0; i < p.rows; ++i) {
    int64_t sum = 0;
    for (int64_t k = 0; k < p.depth; ++k) sum += p.x[i * p.depth + k] - int64_t{p.x_offset};
    row_add[static_cast<size_t>(i)] = static_cast<int32_t>(static_cast<uint32_t>(-p.w_offset) * static_cast<uint32_t>(sum));
  }
  return row_add;
}

}  // namespace

PackedMatMulWeights pack_qmatmul_weights(const QMatMulProblem& p, int threads) {
  PackedMatMulWeights packed;
  packed.panels.resize(static_cast<size_t>(packed_panels_size(p.depth, p.cols)));
  const int64_t panels = (p.cols + kPanelWidth - 1) / kPanelWidth;
  parallel_for(threads, panels, [&](int64_t begin, int64_t end) {
    const int64_t first = begin * kPanelWidth, last = std::min(p.cols, end * kPanelWidth);
    pack_panels(p.w + first, p.cols, p.depth, last - first, false, packed.panels.data() + begin * panel_bytes(p.depth));
  });
  std::vector<int64_t> sums(static_cast<size_t>(p.cols), 0);
  for (int64_t k = 0; k < p.depth; ++k) {
    for (int64_t n = 0; n < p.cols; ++n) sums[static_cast<size_t>(n)] += p.w[k * p.cols + n];
  }
  packed.col_add.resize(static_cast<size_t>(p.cols));
  for (int64_t n = 0; n < p.cols; ++n) {
    packed.col_add[static_cast<size_t>(n)] =
        shifted_input_correction(p.bias ? p.bias[n] : 0, sums[static_cast<size_t>(n)], p.x_offset);
  }
  return packed;
}

void qmatmul_fast(const QMatMulProblem& p, const PackedMatMulWeights& weights, const Int8Run& run,
                  const ProductOutput& y) {
  if (p.rows == 0 || p.cols == 0) return;
  const GemmKernel& kernel = gemm_kernel(run.isa);
  const std::vector<int32_t> row_add = row_corrections(p);
  // Work items: blocks of whole micro-kernel row tiles, and when they are fewer than the
  // threads, each block's panel groups cut into splits.
  const int64_t row_tiles = (p.rows + kernel.rows - 1) / kernel.rows;
  const int64_t block_tiles =
      std::clamp<int64_t>(kRowBlockBytes / std::max<int64_t>(p.depth, 1) / kernel.rows, 1, row_tiles);
  const int64_t block_rows = block_tiles * kernel.rows;
  const int64_t blocks = (p.rows + block_rows - 1) / block_rows;
  const int64_t group_cols = kernel.panels * kPanelWidth;
  const int64_t groups = (p.cols + group_cols - 1) / group_cols;
  const int64_t splits = blocks < run.threads ? std::clamp<int64_t>((run.threads + blocks - 1) / blocks, 1, groups) : 1;
  parallel_for(run.threads, blocks * splits, [&](int64_t begin, int64_t end) {
    Tensor shifted(DataType::kUInt8, {packed_rows_size(kernel, block_rows, p.depth)}, run.allocator);
    // With an output stage, a block's accumulators go through this buffer while in cache.
    Tensor acc(DataType::kInt32, {y.stage ? block_rows * p.cols : 0}, run.allocator);
    int64_t shifted_block = -1;  // the row block now in `shifted`
    for (int64_t item = begin; item < end; ++item) {
      const int64_t block = item / splits, split = item % splits;
      const int64_t first = block * block_rows, rows = std::min(block_rows, p.rows - first);
      if (block != shifted_block) {
        pack_rows(kernel, p.x + first * p.depth, p.depth, rows, p.depth, true, shifted.data<uint8_t>());
        shifted_block = block;
      }
      const int64_t j0 = groups * split / splits * group_cols,
                    j1 = std::min(p.cols, groups * (split + 1) / splits * group_cols);
      GemmBlock<uint8_t> b;
      b.left = shifted.data<uint8_t>();
      b.panels = weights.panels.data() + j0 / kPanelWidth * panel_bytes(p.depth);
      b.depth = p.depth;
      b.rows = rows;
      b.cols = j1 - j0;
      b.col_add = weights.col_add.data() + j0;
      b.row_add = row_add.empty() ? nullptr : row_add.data() + first;
      b.c = y.stage ? acc.data<int32_t>() + j0 : y.in_place(first * p.cols + j0);
      b.ldc = p.cols;
      if (b.cols == 0) continue;
      gemm_int8(kernel, b);
      for (int64_t r = 0; y.stage && r < rows; ++r) y.store(run.isa, b.c + r * p.cols, (first + r) * p.cols + j0, b.cols);
    }
  });
}

void qbatch_matmul_fast(const QBatchMatMulProblem& p, const Int8Run& run, int32_t* y) {
  const int64_t count = static_cast<int64_t>(p.layout.a_index.size());
  const int64_t size = p.layout.m * p.layout.n;
  // Many small products (attention heads) run one per thread; few large ones use all threads each.
  const int inner_threads = count >= run.threads ? 1 : run.threads;
  parallel_for(run.threads / inner_threads, count, [&](int64_t begin, int64_t end) {
    const Int8Run inner{run.isa, inner_threads, run.allocator};
    for (int64_t i = begin; i < end; ++i) {
      const QMatMulProblem matrix = p.matrix(i);
      qmatmul_fast(matrix, pack_qmatmul_weights(matrix, inner_threads), inner, ProductOutput{y + i * size});
    }
  });
}

/// QMatMul: int8 matrix product with int32 accumulation (Gemm and MatMul with constant weights).
void qmatmul(OpContext& ctx) {
  const QMatMulProblem p = qmatmul_problem(ctx);
  if (ctx.kernels() == KernelSet::kReference) {
    return qmatmul_reference(p, ctx.make_output(0, DataType::kInt32, p.output_shape).data<int32_t>());
  }
  OutputStage stage;
  const ProductOutput y = make_product_output(ctx, p.output_shape, stage);
  const Int8Run run = int8_run(ctx);
  qmatmul_fast(p, ctx.prepared<PackedMatMulWeights>([&] { return pack_qmatmul_weights(p, run.threads); }), run, y);
}

/// QBatchMatMul: int8 activation × activation matmul with int32 accumulation (attention's Q·Kᵀ, P·V).
void qbatch_matmul(OpContext& ctx) {
  const QBatchMatMulProblem p = qbatch_matmul_problem(ctx);
  int32_t* y = ctx.make_output(0, DataType::kInt32, p.layout.output).data<int32_t>();
  if (ctx.kernels() == KernelSet::kReference) return qbatch_matmul_reference(p, y);
  qbatch_matmul_fast(p, int8_run(ctx), y);
}

}  // namespace ptqc
