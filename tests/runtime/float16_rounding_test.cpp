// FP16 storage of activations (runtime/float16_rounding.h): every vector path (AVX-512F,
// F16C) and every thread count rounds each float exactly as the scalar float_to_half does.

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "ptqc/tensor.h"
#include "runtime/float16_rounding.h"

namespace ptqc {
namespace {

/// Floats that probe the conversion: FP16 ties, subnormals of both formats, the overflow
/// threshold, infinities, NaN, zeros of both signs, and random values over many magnitudes.
std::vector<float> awkward_floats(size_t n) {
  const float special[] = {0.0f, -0.0f, 1.0f + 1.0f / 2048, 1.0f + 3.0f / 2048, 65504.0f, 65520.0f, 65519.99f,
                           5.96e-8f, 2.98e-8f, 1e-40f, -1e-40f, std::numeric_limits<float>::infinity(),
                           -std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN(),
                           6.1e-5f, -3.0e-5f};
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> mantissa(-1.0f, 1.0f);
  std::uniform_int_distribution<int> exponent(-30, 20);
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) {
    v[i] = i % 3 == 0 ? special[i / 3 % std::size(special)] : std::ldexp(mantissa(rng), exponent(rng));
  }
  return v;
}

/// True when a and b are the same float (bit for bit, any NaN matching any NaN).
bool same_float(float a, float b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::memcmp(&a, &b, sizeof a) == 0;
}

TEST(Float16Rounding, EverySpanLengthMatchesTheScalarConversion) {
  for (size_t n : {1u, 7u, 8u, 15u, 16u, 17u, 33u, 100u, 1000u}) {
    std::vector<float> v = awkward_floats(n);
    std::vector<float> expected(n);
    for (size_t i = 0; i < n; ++i) expected[i] = half_to_float(float_to_half(v[i]));
    round_span_to_float16(v.data(), static_cast<int64_t>(n));
    for (size_t i = 0; i < n; ++i) EXPECT_TRUE(same_float(v[i], expected[i])) << "n=" << n << " i=" << i;
  }
}

TEST(Float16Rounding, ThreadsDoNotChangeTheResult) {
  const std::vector<float> v = awkward_floats(300001);
  Tensor one = Tensor::from_vector(v, {static_cast<int64_t>(v.size())});
  Tensor two = one.clone();
  round_to_float16(one, 1);
  round_to_float16(two, 2);
  EXPECT_EQ(0, std::memcmp(one.raw(), two.raw(), one.nbytes()));
  for (size_t i = 0; i < v.size(); i += 997) {
    EXPECT_TRUE(same_float(one.data<float>()[i], half_to_float(float_to_half(v[i])))) << i;
  }
}

}  // namespace
}  // namespace ptqc
