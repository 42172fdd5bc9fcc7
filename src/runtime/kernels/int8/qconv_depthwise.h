#pragma once
/// \file
/// The AVX-512 VNNI window sweep of a depthwise QConv plane. The centred input x - x_offset
/// (0 in the padding, |value| <= 255) is dealt into int16 phase planes (conv_util.h); two taps
/// whose plane offsets are adjacent form a pair, so for every output q the two products
/// (x_t · w_t + x_u · w_u, |each| <= 255 · 128) come from one vpdpwssd on the int16 words at
/// planes[q + offset_t] and the next one: a load at q gives the even outputs q + 2j, a load at
/// q + 1 the odd ones. A tap without a neighbour is paired with a zero weight. Sums are int32
/// with wrap-around, like every QConv path, so the result is bit for bit the reference's.

#include <cstdint>
#include <vector>

#include "runtime/kernels/conv_util.h"

namespace ptqc {

/// The taps of a window sweep in pairs: pair i reads planes[q + offsets[i]] (tap first[i]) and
/// planes[q + offsets[i] + 1] (tap second[i], or -1 for a zero weight).
struct TapPairs {
  std::vector<int64_t> offsets;
  std::vector<int64_t> first;
  std::vector<int64_t> second;

  /// The 32-bit weight words of the pairs for kernel weights \p w: w[first] in the low half,
  /// w[second] (or 0) in the high half, as vpdpwssd multiplies them.
  std::vector<int32_t> words(const int8_t* w) const;
};

/// Pairs the taps of \p pp greedily in kernel order.
TapPairs pair_taps(const PhasePlanes& pp);

/// grid[q] = bias + Σ_pairs (planes[q + offset] · low + planes[q + offset + 1] · high) for q in
/// [0, pp.padded_sweep), on AVX-512 VNNI. \p planes holds pp.size() + 64 int16 values (the
/// planes, then zeros), \p grid pp.padded_sweep values.
void depthwise_sweep_vnni(const PhasePlanes& pp, const TapPairs& pairs, const int32_t* words, const int16_t* planes,
                          int32_t bias, int32_t* grid);

}  // namespace ptqc
