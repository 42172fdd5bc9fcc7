/// \file
/// The fast QConvTranspose, the adjoint of QConv's GEMM path. Per image and group:
///   cols[(m, k), i] = Σ_c w[c, m, k] · (x[c, i] - x_offset)
/// as the GEMM of qgemm.h with L = wᵀ (rows (m, k), depth C/group) and R = x's shifted
/// panels, row_add[(m, k)] = -(128 + x_offset) · Σ_c w[c, m, k] (both built once per node);
/// then col2im adds cols[(m, k), i] to y[m, i·stride - pad_begin + k·dilation] for targets
/// inside y.

#include <algorithm>
#include <vector>

#include "runtime/kernels/int8/int8_kernels.h"
#include "runtime/kernels/int8/qconv.h"
#include "runtime/kernels/int8/qgemm.h"
#include "runtime/kernels/kernel_util.h"

namespace ptqc {

PackedConvWeights pack_qconv_transpose_weights(const QConvProblem& p, Int8Isa isa) {
  const GemmKernel& kernel = gemm_kernel(isa);
  const int64_t cg = p.in_per_group(), rows = p.out_per_group() * p.window.kernel_size();
  PackedConvWeights t;
  t.isa = isa;
  t.group_bytes = packed_rows_size(kernel, rows, cg);
  t.packed.resize(static_cast<size_t>(p.groups * t.group_bytes));
  t.row_add.resize(static_cast<size_t>(p.groups * rows));
  std::vector<int8_t> lt(static_cast<size_t>(rows * cg));  // w_gᵀ: lt[r][c] = w[group · C/G + c, r]
  for (int64_t group = 0; group < p.groups; ++group) {
    for (int64_t r = 0; r < rows; ++r) {
      int64_t sum = 0;
      for (int64_t c = 0; c < cg; ++c) {
        const int8_t v = p.w[(group * cg + c) * rows + r];
        lt[static_cast<size_t>(r * cg + c)] = v;
        sum += v;
      }
      t.row_add[static_cast<size_t>(group * rows + r)] = shifted_input_correction(0, sum, p.x_offset);
    }
    pack_rows(kernel, lt.data(), cg, rows, cg, false, t.packed.data() + group * t.group_bytes);
  }
  return t;
}

void qconv_transpose_fast(const QConvProblem& p, const PackedConvWeights& weights, const Int8Run& run, int32_t* y) {
  expect_packed_for(weights.isa, run.isa);
  const WindowGeometry& g = p.window;
  const GemmKernel& kernel = gemm_kernel(run.isa);
  const int64_t cg = p.in_per_group(), mg = p.out_per_group();
  const int64_t rows = mg * g.kernel_size(), positions = g.input_size();
  const TilePlan plan = plan_tiles(kernel, cg, rows, positions, 1, run.threads);
  Tensor cols(DataType::kInt32, {rows * positions}, run.allocator);
  for (int64_t n = 0; n < p.batch; ++n) {
    for (int64_t group = 0; group < p.groups; ++group) {
      const int8_t* x = p.x + (n * p.in_channels + group * cg) * positions;
      parallel_for(run.threads, plan.items(1), [&](int64_t begin, int64_t end) {
        Tensor packed(DataType::kUInt8, {packed_panels_size(cg, plan.tile)}, run.allocator);
        int64_t packed_tile = -1;
        for (int64_t item = begin; item < end; ++item) {
          const int64_t tile = item / plan.splits;
          const int64_t first = tile * plan.tile, width = std::min(plan.tile, positions - first);
          if (tile != packed_tile) {
            pack_panels(x + first, positions, cg, width, true, packed.data<uint8_t>());
            packed_tile = tile;
          }
          const auto [r0, r1] = plan.split_rows(item % plan.splits, rows);
          if (r0 == r1) continue;
          GemmBlock<int8_t> block;
          block.left =
              weights.packed.data() + group * weights.group_bytes + r0 / kernel.rows * row_tile_bytes(kernel, cg);
          block.panels = packed.data<uint8_t>();
          block.depth = cg;
          block.rows = r1 - r0;
          block.cols = width;
          block.row_add = weights.row_add.data() + group * rows + r0;
          block.c = cols.data<int32_t>() + r0 * positions + first;
          block.ldc = positions;
          gemm_int8(kernel, block);
        }
      });
      parallel_for(run.threads, mg, [&](int64_t begin, int64_t end) {
        for (int64_t m = begin; m < end; ++m) {
          int32_t* plane = y + (n * p.out_channels + group * mg + m) * g.output_size();
          std::fill_n(plane, g.output_size(), p.bias ? p.bias[group * mg + m] : 0);
          col2im_plane(g, cols.data<int32_t>() + m * g.kernel_size() * positions, plane, [](int32_t& out, int32_t v) {
            out = static_cast<int32_t>(static_cast<uint32_t>(out) + static_cast<uint32_t>(v));  // wraps
          });
        }
      });
    }
  }
}

/// QConvTranspose: int8 transposed convolution with int32 accumulation.
void qconv_transpose(OpContext& ctx) {
  const QConvProblem p = qconv_transpose_problem(ctx);
  int32_t* y = ctx.make_output(0, DataType::kInt32, p.output_shape()).data<int32_t>();
  if (ctx.kernels() == KernelSet::kReference) return qconv_transpose_reference(p, y);
  const Int8Run run = int8_run(ctx);
  qconv_transpose_fast(p, ctx.prepared<PackedConvWeights>([&] { return pack_qconv_transpose_weights(p, run.isa); }),
                       run, y);
}

}  // namespace ptqc
