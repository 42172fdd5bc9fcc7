#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "calib/calib_test_util.h"
#include "calib/range_algorithms.h"

using namespace ptqc;

namespace {

Tensor weights(const std::vector<float>& v, Shape shape) { return Tensor::from_vector<float>(v, std::move(shape)); }

std::vector<int8_t> int8_values(const QuantizedWeights& q) {
  const auto v = q.values.values<int8_t>();
  return {v.begin(), v.end()};
}

/// Σ (w - scale[c] q)² over channel c of a [C, K] weight quantized along axis 0.
double row_error(const Tensor& w, const QuantizedWeights& q, int64_t c) {
  const int64_t k = w.dim(1);
  double sum = 0.0;
  for (int64_t i = 0; i < k; ++i) {
    const double e = w.data<float>()[c * k + i] - static_cast<double>(q.scales[c]) * q.values.data<int8_t>()[c * k + i];
    sum += e * e;
  }
  return sum;
}

TEST(QuantizeWeights, MinMaxPerChannelByHand) {
  const Tensor w = weights({0.5f, -1.27f, 0.2f, 0.0f, 0.0f, 0.0f}, {2, 3});
  const QuantizedWeights q = quantize_weights(w, 0, WeightAlgorithm::kMinMax);
  ASSERT_EQ(q.scales.size(), 2u);
  EXPECT_EQ(q.scales[0], static_cast<float>(1.27f / 127.0));
  EXPECT_EQ(q.scales[1], 1.0f);  // all-zero channel
  EXPECT_EQ(q.values.dtype(), DataType::kInt8);
  EXPECT_EQ(q.values.shape(), (Shape{2, 3}));
  EXPECT_EQ(int8_values(q), (std::vector<int8_t>{50, -127, 20, 0, 0, 0}));
}

TEST(QuantizeWeights, RoundsHalfToEven) {
  // scale 1: 2.5 -> 2, -0.5 -> 0, 1.5 -> 2.
  const Tensor w = weights({2.5f, -0.5f, 1.5f, 127.0f}, {4});
  const QuantizedWeights q = quantize_weights(w, -1, WeightAlgorithm::kMinMax);
  EXPECT_EQ(q.scales[0], 1.0f);
  EXPECT_EQ(int8_values(q), (std::vector<int8_t>{2, 0, 2, 127}));
}

TEST(QuantizeWeights, PerTensorHasOneScale) {
  const Tensor w = weights({1.0f, -2.54f, 0.5f, 2.0f}, {2, 2});
  const QuantizedWeights q = quantize_weights(w, -1, WeightAlgorithm::kMinMax);
  ASSERT_EQ(q.scales.size(), 1u);
  EXPECT_EQ(q.scales[0], static_cast<float>(2.54f / 127.0));
  EXPECT_EQ(int8_values(q), (std::vector<int8_t>{50, -127, 25, 100}));
}

TEST(QuantizeWeights, InnerChannelAxisIsStrided) {
  // [K=2, N=3] quantized per column (a Gemm weight): column n = {w[0][n], w[1][n]}.
  const Tensor w = weights({1.0f, 0.2f, -3.0f, -0.5f, 0.4f, 1.5f}, {2, 3});
  const QuantizedWeights q = quantize_weights(w, 1, WeightAlgorithm::kMinMax);
  ASSERT_EQ(q.scales.size(), 3u);
  EXPECT_EQ(q.scales[0], static_cast<float>(1.0 / 127.0));
  EXPECT_EQ(q.scales[1], static_cast<float>(0.4f / 127.0));
  EXPECT_EQ(q.scales[2], static_cast<float>(3.0 / 127.0));
  EXPECT_EQ(int8_values(q), (std::vector<int8_t>{127, 64, -127, -64, 127, 64}));
}

TEST(QuantizeWeights, ArqNeverLosesToMinMaxAndClipsOutliers) {
  // 8 channels of 16384 Gaussian weights; channel 3 has one outlier at 12 sigma.
  const int64_t channels = 8, k = 16384;
  auto v = test::gaussian_samples(channels * k, 51);
  v[3 * k + 100] = 12.0f;
  const Tensor w = weights(v, {channels, k});
  const QuantizedWeights minmax = quantize_weights(w, 0, WeightAlgorithm::kMinMax);
  const QuantizedWeights arq = quantize_weights(w, 0, WeightAlgorithm::kArq);
  for (int64_t c = 0; c < channels; ++c) {
    EXPECT_LE(row_error(w, arq, c), row_error(w, minmax, c)) << c;
    EXPECT_LE(arq.scales[c], minmax.scales[c]);
    // ARQ scales are r * max|w| / 127 with r on the grid 1.00, 0.99, ..., 0.50.
    const double r = arq.scales[c] / minmax.scales[c];
    EXPECT_GE(r, 0.5 - 1e-6);
    EXPECT_NEAR(r, std::round(r * 100.0) / 100.0, 1e-5);
  }
  EXPECT_LT(row_error(w, arq, 3), 0.95 * row_error(w, minmax, 3));  // about 8% by the estimate in docs/algorithms.md
  EXPECT_LT(arq.scales[3], minmax.scales[3]);
}

TEST(QuantizeWeights, NeverProducesMinus128) {
  auto v = test::laplace_samples(4 * 4096, 52);
  for (size_t i = 0; i < v.size(); i += 97) v[i] = -std::fabs(v[i]) * 3.0f;  // heavy negative tail
  const Tensor w = weights(v, {4, 4096});
  for (const auto algorithm : {WeightAlgorithm::kMinMax, WeightAlgorithm::kArq}) {
    const auto q = int8_values(quantize_weights(w, 0, algorithm));
    EXPECT_EQ(*std::min_element(q.begin(), q.end()), -127);
    EXPECT_EQ(*std::max_element(q.begin(), q.end()) <= 127, true);
  }
}

TEST(QuantizeWeights, Deterministic) {
  const Tensor w = weights(test::gaussian_samples(3 * 3 * 8 * 16, 53), {16, 8, 3, 3});
  const QuantizedWeights a = quantize_weights(w, 0, WeightAlgorithm::kArq);
  const QuantizedWeights b = quantize_weights(w, 0, WeightAlgorithm::kArq);
  EXPECT_EQ(a.scales, b.scales);
  EXPECT_EQ(int8_values(a), int8_values(b));
  EXPECT_EQ(a.scales.size(), 16u);
}

TEST(QuantizeWeights, RejectsNonFloatWeights) {
  test::expect_error([] { quantize_weights(Tensor(DataType::kInt32, {2}), -1, WeightAlgorithm::kArq); }, ErrorCode::kInternal,
                     "weights are int32");
}

TEST(QuantizeWeights, RejectsAChannelAxisBeyondTheRank) {
  test::expect_error([] { quantize_weights(Tensor(DataType::kFloat32, {2, 2}), 2, WeightAlgorithm::kArq); }, ErrorCode::kInternal,
                     "channel axis 2 of a 2x2 weight");
}

TEST(QuantizeWeights, RejectsNonFiniteWeights) {
  test::expect_error([] { quantize_weights(weights({1.0f, std::nanf("")}, {2}), 0, WeightAlgorithm::kArq); }, ErrorCode::kInvalidModel,
                     "a 2 weight holds a NaN or infinite value");
}

}  // namespace
