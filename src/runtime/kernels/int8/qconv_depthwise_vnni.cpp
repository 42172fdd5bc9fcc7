#include <immintrin.h>

#include "runtime/kernels/int8/int8_isa.h"
#include "runtime/kernels/int8/qconv_depthwise.h"

namespace ptqc {

std::vector<int32_t> TapPairs::words(const int8_t* w) const {
  std::vector<int32_t> out(offsets.size());
  for (size_t i = 0; i < out.size(); ++i) {
    const uint32_t low = static_cast<uint16_t>(int16_t{w[first[i]]});
    const uint32_t high = second[i] < 0 ? 0u : static_cast<uint16_t>(int16_t{w[second[i]]});
    out[i] = static_cast<int32_t>(low | high << 16);
  }
  return out;
}

TapPairs pair_taps(const PhasePlanes& pp) {
  const std::vector<int64_t>& offsets = pp.tap_offsets;
  std::vector<bool> used(offsets.size(), false);
  TapPairs pairs;
  for (size_t t = 0; t < offsets.size(); ++t) {
    if (used[t]) continue;
    used[t] = true;
    int64_t partner = -1;
    for (size_t u = t + 1; u < offsets.size() && partner < 0; ++u) {
      if (!used[u] && offsets[u] == offsets[t] + 1) partner = static_cast<int64_t>(u);
    }
    if (partner >= 0) used[static_cast<size_t>(partner)] = true;
    pairs.offsets.push_back(offsets[t]);
    pairs.first.push_back(static_cast<int64_t>(t));
    pairs.second.push_back(partner);
  }
  return pairs;
}

PTQC_TARGET_AVX512_VNNI void depthwise_sweep_vnni(const PhasePlanes& pp, const TapPairs& pairs, const int32_t* words,
                                                  const int16_t* planes, int32_t bias, int32_t* grid) {
  // Lanes j of the even and odd sums are outputs q + 2j and q + 2j + 1: these indices interleave them.
  const __m512i low_half = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const __m512i high_half = _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
  const int64_t count = static_cast<int64_t>(pairs.offsets.size());
  for (int64_t q = 0; q < pp.padded_sweep; q += 32) {
    __m512i even = _mm512_set1_epi32(bias), odd = even;
    for (int64_t i = 0; i < count; ++i) {
      const int16_t* src = planes + q + pairs.offsets[static_cast<size_t>(i)];
      const __m512i w = _mm512_set1_epi32(words[i]);
      even = _mm512_dpwssd_epi32(even, _mm512_loadu_si512(src), w);
      odd = _mm512_dpwssd_epi32(odd, _mm512_loadu_si512(src + 1), w);
    }
    _mm512_storeu_si512(grid + q, _mm512_permutex2var_epi32(even, low_half, odd));
    _mm512_storeu_si512(grid + q + 16, _mm512_permutex2var_epi32(even, high_half, odd));
  }
}

}  // namespace ptqc
