/// \file
/// The fast QConv. One input channel per group (depthwise) over 1-D/2-D planes: the window
/// sweep of conv_util.h on the centred input. Otherwise, per image, group and tile of
/// output positions: y_g[m, p] = row_add[m] + Σ_k w_g[m, k] · (cols[k, p] + 128) with w_g packed
/// once per node (pack_qconv_weights), cols = im2col(x_g) (x_offset in the padding) packed as shifted panels, and
/// row_add[m] = bias[m] - (128 + x_offset) · Σ_k w_g[m, k] (qgemm.h).

#include "runtime/kernels/int8/qconv.h"

#include <emmintrin.h>

#include <algorithm>
#include <numeric>
#include <vector>

#include "runtime/kernels/int8/int8_kernels.h"
#include "runtime/kernels/int8/qconv_depthwise.h"
#include "runtime/kernels/int8/qgemm.h"
#include "runtime/kernels/kernel_util.h"

namespace ptqc {

namespace {

/// One 1-D/2-D output plane of a depthwise QConv by the window sweep of conv_util.h:
/// y[o] = bias + Σ_k w[k] · (x_pad[o·stride - pad_begin + k·dilation] - x_offset), x_pad = x_offset
/// outside x. The centred input x - x_offset (0 in the padding) is dealt into the phase planes as
/// uint32, so every sum wraps mod 2^32 like the GEMM path. \p scratch holds input_size() +
/// pp.size() values.
void depthwise_plane(const WindowGeometry& g, const PhasePlanes& pp, const int8_t* x, const int8_t* w, int32_t bias,
                     int32_t x_offset, uint32_t* scratch, int32_t* y) {
  uint32_t* centred = scratch;
  uint32_t* planes = scratch + g.input_size();
  for (int64_t i = 0; i < g.input_size(); ++i) centred[i] = static_cast<uint32_t>(x[i] - x_offset);
  fill_phase_planes(g, pp, centred, uint32_t{0}, planes);
  uint32_t* grid = planes + pp.grid_offset();
  sweep_windows(
      pp, planes, static_cast<uint32_t>(bias),
      [w](auto sum, int64_t t, auto in) { return sum + static_cast<uint32_t>(w[t]) * in; }, grid);
  for (int64_t oh = 0; oh < g.output[1]; ++oh) {
    for (int64_t ow = 0; ow < g.output[2]; ++ow)
      y[oh * g.output[2] + ow] = static_cast<int32_t>(grid[oh * pp.pitch + ow]);
  }
}

/// depthwise_plane on AVX-512 VNNI (qconv_depthwise.h): int16 phase planes, taps in pairs with
/// the weight \p words of the plane's channel. \p scratch holds input_size() + pp.size() + 64
/// int16 values, \p grid pp.padded_sweep int32.
void depthwise_plane_vnni(const WindowGeometry& g, const PhasePlanes& pp, const TapPairs& pairs, const int8_t* x,
                          const int32_t* words, int32_t bias, int32_t x_offset, int16_t* scratch, int32_t* grid,
                          int32_t* y) {
  int16_t* centred = scratch;
  int16_t* planes = scratch + g.input_size();
  for (int64_t i = 0; i < g.input_size(); ++i) centred[i] = static_cast<int16_t>(x[i] - x_offset);
  fill_phase_planes(g, pp, centred, int16_t{0}, planes);
  std::fill_n(planes + pp.size(), 64, int16_t{0});
  depthwise_sweep_vnni(pp, pairs, words, planes, bias, grid);
  for (int64_t oh = 0; oh < g.output[1]; ++oh) std::copy_n(grid + oh * pp.pitch, g.output[2], y + oh * g.output[2]);
}

/// QConv with one input channel per group over at most 2 spatial dims: output channel m reads
/// input channel m / (M/group).
void depthwise_qconv(const QConvProblem& p, const Int8Run& run, const ProductOutput& y) {
  const WindowGeometry& g = p.window;
  const PhasePlanes pp = phase_planes(g);
  const bool vnni = run.isa == Int8Isa::kAvx512Vnni;
  const TapPairs pairs = vnni ? pair_taps(pp) : TapPairs{};
  std::vector<int32_t> words;  // the pair weight words of every output channel, one after another
  for (int64_t m = 0; vnni && m < p.out_channels; ++m) {
    const std::vector<int32_t> channel = pairs.words(p.w + m * g.kernel_size());
    words.insert(words.end(), channel.begin(), channel.end());
  }
  parallel_for(run.threads, p.batch * p.out_channels, [&](int64_t begin, int64_t end) {
    Tensor scratch(vnni ? DataType::kInt16 : DataType::kUInt32, {g.input_size() + pp.size() + 64}, run.allocator);
    Tensor grid(DataType::kInt32, {vnni ? pp.padded_sweep : 0}, run.allocator);
    Tensor acc(DataType::kInt32, {y.stage ? g.output_size() : 0}, run.allocator);
    for (int64_t plane = begin; plane < end; ++plane) {
      const int64_t n = plane / p.out_channels, m = plane % p.out_channels, first = plane * g.output_size();
      int32_t* out = y.stage ? acc.data<int32_t>() : y.in_place(first);
      const int8_t* x = p.x + (n * p.in_channels + m / p.out_per_group()) * g.input_size();
      const int8_t* w = p.w + m * g.kernel_size();
      const int32_t bias = p.bias ? p.bias[m] : 0;
      if (vnni) {
        depthwise_plane_vnni(g, pp, pairs, x, words.data() + m * static_cast<int64_t>(pairs.offsets.size()), bias,
                             p.x_offset, scratch.data<int16_t>(), grid.data<int32_t>(), out);
      } else {
        depthwise_plane(g, pp, x, w, bias, p.x_offset, scratch.data<uint32_t>(), out);
      }
      if (y.stage) y.store(run.isa, out, first, g.output_size());
    }
  });
}

/// dst[i] = src[2i] for i < n (stride-2 rows of im2col), sixteen at a time with SSE2: the low
/// byte of each 16-bit word, packed. Reads nothing past src[2(n - 1)].
void gather_even(const int8_t* src, int64_t n, int8_t* dst) {
  const __m128i low_bytes = _mm_set1_epi16(0x00ff);
  int64_t i = 0;
  for (; i + 16 < n; i += 16) {  // the last load ends at src[2i + 31] <= src[2(n - 1)]
    const __m128i a = _mm_and_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 2 * i)), low_bytes);
    const __m128i b = _mm_and_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 2 * i + 16)), low_bytes);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i), _mm_packus_epi16(a, b));
  }
  for (; i < n; ++i) dst[i] = src[2 * i];
}

/// dst[i] = x[c, o·stride - pad_begin + k·dilation] for the \p run output positions o = (od, oh, ow + i)
/// of one output row and the tap k = (kd, kh, kw), \p pad where that lies outside the plane \p x.
void im2col_run(const WindowGeometry& g, const int8_t* x, const SpatialDims& o, const SpatialDims& k, int64_t run,
                int8_t pad, int8_t* dst) {
  const int64_t id = o[0] * g.stride[0] - g.pad_begin[0] + k[0] * g.dilation[0];
  const int64_t ih = o[1] * g.stride[1] - g.pad_begin[1] + k[1] * g.dilation[1];
  if (id < 0 || id >= g.input[0] || ih < 0 || ih >= g.input[1]) {
    std::fill_n(dst, run, pad);
    return;
  }
  // dst[i] reads input column (ow + i)·stride + kw·dilation - pad_begin.
  const int64_t column = o[2] * g.stride[2] + k[2] * g.dilation[2] - g.pad_begin[2];
  const int8_t* x_row = x + (id * g.input[1] + ih) * g.input[2];
  const TapRange in = taps_inside(column, g.stride[2], g.input[2], run);
  std::fill_n(dst, in.first, pad);
  if (g.stride[2] == 1) {
    std::copy_n(x_row + column + in.first, in.last - in.first, dst + in.first);
  } else if (g.stride[2] == 2) {
    gather_even(x_row + column + 2 * in.first, in.last - in.first, dst + in.first);
  } else {
    for (int64_t i = in.first; i < in.last; ++i) dst[i] = x_row[column + i * g.stride[2]];
  }
  std::fill(dst + in.last, dst + run, pad);
}

/// cols[r][j] for output positions first + j (j < width) and rows r = (c, kd, kh, kw):
/// x[c, o·stride - pad_begin + k·dilation], \p pad where that lies outside x.
void im2col(const WindowGeometry& g, const int8_t* x, int64_t channels, int64_t first, int64_t width, int8_t pad,
            int8_t* cols) {
  for (int64_t c = 0; c < channels; ++c) {
    for (int64_t kd = 0; kd < g.kernel[0]; ++kd) {
      for (int64_t kh = 0; kh < g.kernel[1]; ++kh) {
        for (int64_t kw = 0; kw < g.kernel[2]; ++kw, cols += width) {
          // One run per output row (fixed od, oh) of the tile; the position advances without divisions.
          SpatialDims o{first / (g.output[1] * g.output[2]), first / g.output[2] % g.output[1], first % g.output[2]};
          for (int64_t j = 0; j < width;) {
            const int64_t run = std::min(g.output[2] - o[2], width - j);
            im2col_run(g, x + c * g.input_size(), o, {kd, kh, kw}, run, pad, cols + j);
            j += run;
            o[2] = 0;
            if (++o[1] == g.output[1]) {
              o[1] = 0;
              ++o[0];
            }
          }
        }
      }
    }
  }
}

/// True for a 1×1 kernel with stride 1 and no padding: the input planes are the im2col matrix.
bool is_pointwise(const WindowGeometry& g) {
  for (int d = 0; d < kMaxSpatialDims; ++d) {
    if (g.kernel[d] != 1 || g.stride[d] != 1 || g.pad_begin[d] != 0 || g.pad_end[d] != 0) return false;
  }
  return true;
}

/// True when qconv_fast takes the depthwise window sweep: one input channel per group, 1-D/2-D.
bool is_depthwise(const QConvProblem& p) { return p.in_per_group() == 1 && is_planar(p.window); }

void gemm_qconv(const QConvProblem& p, const PackedConvWeights& weights, const Int8Run& run, const ProductOutput& y) {
  const WindowGeometry& g = p.window;
  const GemmKernel& kernel = gemm_kernel(run.isa);
  const int64_t cg = p.in_per_group(), mg = p.out_per_group();
  const int64_t depth = cg * g.kernel_size(), positions = g.output_size();
  const TilePlan plan = plan_tiles(kernel, depth, mg, positions, p.batch * p.groups, run.threads);
  const bool pointwise = is_pointwise(g);
  parallel_for(run.threads, plan.items(p.batch * p.groups), [&](int64_t begin, int64_t end) {
    Tensor cols(DataType::kInt8, {pointwise ? 0 : depth * plan.tile}, run.allocator);
    Tensor packed(DataType::kUInt8, {packed_panels_size(depth, plan.tile)}, run.allocator);
    // With an output stage, a tile's accumulators go through this buffer while in cache.
    Tensor acc(DataType::kInt32, {y.stage ? mg * plan.tile : 0}, run.allocator);
    int64_t packed_tile = -1;  // the (image, group, tile) now in `packed`
    for (int64_t item = begin; item < end; ++item) {
      const int64_t tile = item / plan.splits;
      const int64_t n = tile / (p.groups * plan.tiles), group = tile / plan.tiles % p.groups;
      const int64_t first = tile % plan.tiles * plan.tile, width = std::min(plan.tile, positions - first);
      if (tile != packed_tile) {
        const int8_t* x = p.x + (n * p.in_channels + group * cg) * g.input_size();
        if (pointwise) {
          pack_panels(x + first, positions, depth, width, true, packed.data<uint8_t>());
        } else {
          im2col(g, x, cg, first, width, static_cast<int8_t>(p.x_offset), cols.data<int8_t>());
          pack_panels(cols.data<int8_t>(), width, depth, width, true, packed.data<uint8_t>());
        }
        packed_tile = tile;
      }
      const auto [m0, m1] = plan.split_rows(item % plan.splits, mg);
      if (m0 == m1) continue;
      const int64_t m = group * mg + m0;
      GemmBlock<int8_t> block;
      block.left = weights.packed.data() + group * weights.group_bytes + m0 / kernel.rows * row_tile_bytes(kernel, depth);
      block.panels = packed.data<uint8_t>();
      block.depth = depth;
      block.rows = m1 - m0;
      block.cols = width;
      block.row_add = weights.row_add.data() + m;
      const int64_t at = (n * p.out_channels + m) * positions + first;
      block.c = y.stage ? acc.data<int32_t>() : y.in_place(at);
      block.ldc = y.stage ? width : positions;
      gemm_int8(kernel, block);
      if (!y.stage) continue;
      for (int64_t r = 0; r < block.rows; ++r) y.store(run.isa, block.c + r * width, at + r * positions, width);
    }
  });
}

}  // namespace

PackedConvWeights pack_qconv_weights(const QConvProblem& p, Int8Isa isa) {
  PackedConvWeights packed;
  packed.isa = isa;
  if (is_depthwise(p)) return packed;
  const GemmKernel& kernel = gemm_kernel(isa);
  const int64_t mg = p.out_per_group(), depth = p.in_per_group() * p.window.kernel_size();
  // Each group's weights as its own packed left operand (row tiles do not straddle groups).
  packed.group_bytes = packed_rows_size(kernel, mg, depth);
  packed.packed.resize(static_cast<size_t>(p.groups * packed.group_bytes));
  for (int64_t group = 0; group < p.groups; ++group) {
    pack_rows(kernel, p.w + group * mg * depth, depth, mg, depth, false, packed.packed.data() + group * packed.group_bytes);
  }
  packed.row_add.resize(static_cast<size_t>(p.out_channels));
  for (int64_t m = 0; m < p.out_channels; ++m) {
    const int8_t* w = p.w + m * depth;
    const int64_t sum = std::accumulate(w, w + depth, int64_t{0});
    packed.row_add[static_cast<size_t>(m)] = shifted_input_correction(p.bias ? p.bias[m] : 0, sum, p.x_offset);
  }
  return packed;
}

void qconv_fast(const QConvProblem& p, const PackedConvWeights& weights, const Int8Run& run, const ProductOutput& y) {
  expect_packed_for(weights.isa, run.isa);
  if (is_depthwise(p)) {
    depthwise_qconv(p, run, y);
  } else {
    gemm_qconv(p, weights, run, y);
  }
}

/// QConv: int8 convolution with int32 accumulation.
void qconv(OpContext& ctx) {
  const QConvProblem p = qconv_problem(ctx);
  if (ctx.kernels() == KernelSet::kReference) {
    return qconv_reference(p, ctx.make_output(0, DataType::kInt32, p.output_shape()).data<int32_t>());
  }
  OutputStage stage;
  const ProductOutput y = make_product_output(ctx, p.output_shape(), stage);
  const Int8Run run = int8_run(ctx);
  qconv_fast(p, ctx.prepared<PackedConvWeights>([&] { return pack_qconv_weights(p, run.isa); }), run, y);
}

}  // namespace ptqc
