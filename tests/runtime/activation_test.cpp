#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "support/kernel_test_util.h"

namespace ptqc {
namespace {

using kernel_test::error_of;
using kernel_test::float_attr;
using kernel_test::make_node;
using kernel_test::run_node;
using kernel_test::string_attr;
using kernel_test::values_of;

/// Output 0 of a one-input activation \p node on float32 \p xs.
std::vector<float> activate(const Node& node, const std::vector<float>& xs, int64_t opset = 13) {
  const Tensor x = Tensor::from_vector(xs, {static_cast<int64_t>(xs.size())});
  return values_of<float>(run_node(node, opset, {&x}));
}

void expect_near_all(const std::vector<float>& got, const std::vector<float>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-6f * (1.0f + std::abs(want[i]))) << i;
}

TEST(ActivationTest, ReluKeepsNaNAndTakesIntegers) {
  const std::vector<float> y = activate(make_node("Relu", 1), {-1.0f, 0.0f, 2.0f, std::nanf("")});
  EXPECT_EQ(y[0], 0.0f);
  EXPECT_EQ(y[1], 0.0f);
  EXPECT_EQ(y[2], 2.0f);
  EXPECT_TRUE(std::isnan(y[3]));
  const Tensor i = Tensor::from_vector<int32_t>({-5, 7}, {2});
  EXPECT_EQ(values_of<int32_t>(run_node(make_node("Relu", 1), 14, {&i})), (std::vector<int32_t>{0, 7}));
}

TEST(ActivationTest, LeakyReluAndThresholdedRelu) {
  Node leaky = make_node("LeakyRelu", 1);
  leaky.attrs["alpha"] = float_attr(0.1f);
  expect_near_all(activate(leaky, {-2.0f, 3.0f}), {-0.2f, 3.0f});
  EXPECT_EQ(activate(make_node("ThresholdedRelu", 1), {0.5f, 1.0f, 1.5f}, 10), (std::vector<float>{0, 0, 1.5f}));
}

TEST(ActivationTest, PReluBroadcastsTheSlopeToX) {
  const Tensor x = Tensor::from_vector<float>({-1, 2, -3, 4}, {1, 2, 2});
  const Tensor slope = Tensor::from_vector<float>({0.5f, 0.25f}, {2, 1});  // one slope per channel
  EXPECT_EQ(values_of<float>(run_node(make_node("PRelu", 2), 16, {&x, &slope})),
            (std::vector<float>{-0.5f, 2, -0.75f, 4}));

  const Tensor bad = Tensor::from_vector<float>({1, 2, 3}, {3});
  EXPECT_EQ(error_of(make_node("PRelu", 2), 16, {&x, &bad}), ErrorCode::kInvalidModel);
  const Tensor wider = Tensor::from_vector<float>({1, 2, 3, 4, 5, 6, 7, 8}, {2, 2, 2});  // would grow the output
  EXPECT_EQ(error_of(make_node("PRelu", 2), 16, {&x, &wider}), ErrorCode::kInvalidModel);
}

TEST(ActivationTest, ExponentialLinearUnits) {
  Node elu = make_node("Elu", 1);
  elu.attrs["alpha"] = float_attr(2.0f);
  expect_near_all(activate(elu, {-1.0f, 3.0f}, 6), {-1.2642411f, 3.0f});
  expect_near_all(activate(make_node("Selu", 1), {-1.0f, 2.0f}, 6), {-1.1113307f, 2.1014020f});
  Node celu = make_node("Celu", 1);
  celu.attrs["alpha"] = float_attr(2.0f);
  expect_near_all(activate(celu, {-1.0f, 3.0f}, 12), {-0.7869387f, 3.0f});
  celu.attrs["alpha"] = float_attr(0.0f);
  const Tensor x = Tensor::scalar<float>(1.0f);
  EXPECT_EQ(error_of(celu, 12, {&x}), ErrorCode::kInvalidModel);
}

TEST(ActivationTest, GeluExactAndTanhApproximation) {
  Node gelu = make_node("Gelu", 1);
  expect_near_all(activate(gelu, {1.0f, 0.0f}, 20), {0.8413447f, 0.0f});
  gelu.attrs["approximate"] = string_attr("tanh");
  expect_near_all(activate(gelu, {1.0f}, 20), {0.8411920f});
  gelu.attrs["approximate"] = string_attr("erf");
  const Tensor x = Tensor::scalar<float>(1.0f);
  EXPECT_EQ(error_of(gelu, 20, {&x}), ErrorCode::kInvalidModel);
}

TEST(ActivationTest, SigmoidFamilyStaysFiniteAtExtremes) {
  EXPECT_EQ(activate(make_node("Sigmoid", 1), {-1000.0f, 0.0f, 1000.0f}), (std::vector<float>{0.0f, 0.5f, 1.0f}));
  expect_near_all(activate(make_node("Softplus", 1), {-1000.0f, 0.0f, 1000.0f}, 1), {0.0f, 0.6931472f, 1000.0f});
  expect_near_all(activate(make_node("Softsign", 1), {3.0f, -1.0f}, 1), {0.75f, -0.5f});
  expect_near_all(activate(make_node("Mish", 1), {1.0f, -1000.0f}, 18), {0.8650984f, 0.0f});
  expect_near_all(activate(make_node("Tanh", 1), {0.5f}), {0.46211716f});
  expect_near_all(activate(make_node("HardSigmoid", 1), {1.0f, -5.0f, 5.0f}, 6), {0.7f, 0.0f, 1.0f});
  expect_near_all(activate(make_node("HardSwish", 1), {1.0f, -4.0f, 4.0f}, 14), {0.6666667f, 0.0f, 4.0f});
}

TEST(ActivationTest, ClipBoundsFromAttributesOrInputs) {
  Node clip = make_node("Clip", 1);
  clip.attrs["min"] = float_attr(-1.0f);
  clip.attrs["max"] = float_attr(1.0f);
  EXPECT_EQ(activate(clip, {-2.0f, 0.5f, 3.0f}, 6), (std::vector<float>{-1.0f, 0.5f, 1.0f}));

  const Tensor x = Tensor::from_vector<int8_t>({-100, 10}, {2});
  const Tensor hi = Tensor::scalar<int8_t>(5);
  const Tensor lo = Tensor::scalar<int8_t>(7);
  const Node clip13 = make_node("Clip", 3);
  EXPECT_EQ(values_of<int8_t>(run_node(clip13, 13, {&x, nullptr, &hi})), (std::vector<int8_t>{-100, 5}));
  EXPECT_EQ(values_of<int8_t>(run_node(clip13, 13, {&x, &lo, &hi})), (std::vector<int8_t>{5, 5}));  // lo > hi

  const Tensor pair = Tensor::from_vector<int8_t>({1, 2}, {2});
  EXPECT_EQ(error_of(clip13, 13, {&x, &pair, nullptr}), ErrorCode::kInvalidModel);
}

TEST(ActivationTest, BigTensorsGiveTheSameResultOnAnyThreadCount) {
  std::vector<float> xs(200000);
  for (size_t i = 0; i < xs.size(); ++i) xs[i] = static_cast<float>(i % 2001) / 100.0f - 10.0f;
  const Tensor x = Tensor::from_vector(xs, {static_cast<int64_t>(xs.size())});
  const Tensor one = run_node(make_node("Sigmoid", 1), 13, {&x}, 1);
  const Tensor four = run_node(make_node("Sigmoid", 1), 13, {&x}, 4);
  EXPECT_EQ(values_of<float>(one), values_of<float>(four));
  EXPECT_NEAR(four.data<float>()[1000], 1.0f / (1.0f + std::exp(-xs[1000])), 1e-7f);
}

TEST(ActivationTest, FloatOnlyActivationsRejectIntegers) {
  const Tensor i = Tensor::from_vector<int32_t>({1}, {1});
  EXPECT_EQ(error_of(make_node("Sigmoid", 1), 13, {&i}), ErrorCode::kUnsupportedOp);
}

}  // namespace
}  // namespace ptqc
