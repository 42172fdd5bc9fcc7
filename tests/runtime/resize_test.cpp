#include <gtest/gtest.h>

#include "support/kernel_test_util.h"

namespace ptqc {
namespace {

using namespace kernel_test;

/// A Resize (opset 11+) node with the given mode and coordinate mapping.
Node resize_node(const std::string& mode, const std::string& coordinates) {
  Node node = make_node("Resize", 4);
  node.attrs["mode"] = string_attr(mode);
  node.attrs["coordinate_transformation_mode"] = string_attr(coordinates);
  return node;
}

/// Runs \p node on \p x with scales (or, when \p by_sizes, sizes) \p factors.
Tensor resize(const Node& node, int64_t opset, const Tensor& x, const std::vector<float>& factors,
              bool by_sizes = false, const Tensor* roi = nullptr) {
  const Tensor scales = floats(factors, {static_cast<int64_t>(factors.size())});
  std::vector<int64_t> size_values(factors.begin(), factors.end());
  const Tensor sizes = int64s(size_values);
  return evaluate_node(node, opset, {&x, roi, by_sizes ? nullptr : &scales, by_sizes ? &sizes : nullptr})[0];
}

TEST(Resize, NearestUpsamplesNchw) {
  const Tensor x = floats({1, 2, 3, 4}, {1, 1, 2, 2});
  expect_floats(resize(resize_node("nearest", "asymmetric"), 13, x, {1, 1, 2, 2}), {1, 1, 4, 4},
                {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4});
}

TEST(Resize, NearestModesRoundHalfwayPoints) {
  // asymmetric x = o / 2 on 4 outputs from 2 inputs: 0, 0.5, 1, 1.5.
  const Tensor x = floats({10, 20}, {2});
  Node node = resize_node("nearest", "asymmetric");
  const std::vector<std::pair<std::string, std::vector<float>>> cases = {
      {"round_prefer_floor", {10, 10, 20, 20}},
      {"round_prefer_ceil", {10, 20, 20, 20}},
      {"floor", {10, 10, 20, 20}},
      {"ceil", {10, 20, 20, 20}},
  };
  for (const auto& [mode, expected] : cases) {
    node.attrs["nearest_mode"] = string_attr(mode);
    expect_floats(resize(node, 13, x, {2}), {4}, expected);
  }
}

TEST(Resize, LinearHalfPixelClampsAtTheEdges) {
  // x = (o + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25.
  const Tensor x = floats({1, 2}, {2});
  expect_floats(resize(resize_node("linear", "half_pixel"), 13, x, {2}), {4}, {1, 1.25f, 1.75f, 2});
}

TEST(Resize, LinearAlignCornersWithSizes) {
  const Tensor x = floats({1, 2, 3, 4}, {2, 2});
  expect_floats(resize(resize_node("linear", "align_corners"), 13, x, {3, 3}, true), {3, 3},
                {1, 1.5f, 2, 2, 2.5f, 3, 3, 3.5f, 4});
}

TEST(Resize, CubicUsesTheKeysKernel) {
  // asymmetric x = 1.5 at output 3: weights w(1.5), w(0.5), w(0.5), w(1.5) = -0.09375, 0.59375, ...
  const Tensor x = floats({0, 1, 0, 0}, {4});
  const Tensor y = resize(resize_node("cubic", "asymmetric"), 13, x, {2});
  ASSERT_EQ(y.shape(), Shape{8});
  EXPECT_NEAR(y.data<float>()[3], 0.59375f, 1e-6);
  EXPECT_NEAR(y.data<float>()[2], 1.0f, 1e-6);
}

TEST(Resize, TfCropAndResizeExtrapolatesOutsideTheInput) {
  Node node = resize_node("linear", "tf_crop_and_resize");
  node.attrs["extrapolation_value"] = float_attr(-1.0f);
  // x = 0.5 · 3 + o · 1 · 3 / 2 = 1.5, 3, 4.5.
  const Tensor x = floats({1, 2, 3, 4}, {4});
  const Tensor roi = floats({0.5f, 1.5f}, {2});
  expect_floats(resize(node, 13, x, {3}, true, &roi), {3}, {2.5f, 4, -1});
}

TEST(Resize, AntialiasWidensTheLinearFilterWhenDownsampling) {
  Node node = resize_node("linear", "half_pixel");
  node.attrs["antialias"] = int_attr(1);
  // x = 0.5, 2.5 with a triangle of half-width 2: weights 1/8, 3/8, 3/8, 1/8 on edge-clamped taps.
  const Tensor x = floats({1, 2, 3, 4}, {4});
  expect_floats(resize(node, 18, x, {0.5f}), {2}, {1.625f, 3.375f});
}

TEST(Resize, Opset18AxesAndKeepAspectRatioPolicy) {
  Node node = resize_node("nearest", "asymmetric");
  node.attrs["axes"] = ints_attr({2, 3});
  const Tensor x = floats({1, 2, 3, 4, 5, 6, 7, 8}, {1, 1, 2, 4});
  node.attrs["keep_aspect_ratio_policy"] = string_attr("not_larger");
  // Ratios 3/2 and 4/4: not_larger keeps scale 1.
  expect_floats(resize(node, 18, x, {3, 4}, true), {1, 1, 2, 4}, {1, 2, 3, 4, 5, 6, 7, 8});
  node.attrs["keep_aspect_ratio_policy"] = string_attr("not_smaller");
  EXPECT_EQ(resize(node, 18, x, {3, 4}, true).shape(), (Shape{1, 1, 3, 6}));
}

TEST(Resize, Opset10TruncatesUpAndCeilsDown) {
  Node node = make_node("Resize", 2);
  const Tensor x = floats({1, 2, 3, 4}, {4});
  const Tensor down = floats({0.5f}, {1});
  expect_floats(evaluate_node(node, 10, {&x, &down})[0], {2}, {1, 3});
  const Tensor up = floats({1.5f}, {1});
  // x = o / 1.5 = 0, 0.67, 1.33, 2, 2.67, 3.33.
  expect_floats(evaluate_node(node, 10, {&x, &up})[0], {6}, {1, 1, 2, 3, 3, 4});
}

TEST(Resize, NearestKeepsIntegerTypes) {
  const Tensor x = Tensor::from_vector<uint8_t>({7, 250}, {2});
  const Tensor y = resize(resize_node("nearest", "half_pixel"), 13, x, {2});
  ASSERT_EQ(y.dtype(), DataType::kUInt8);
  EXPECT_EQ(std::vector<uint8_t>(y.values<uint8_t>().begin(), y.values<uint8_t>().end()),
            (std::vector<uint8_t>{7, 7, 250, 250}));
}

TEST(Resize, NeedsExactlyOneOfScalesAndSizes) {
  const Tensor x = floats({1, 2}, {2});
  const Tensor scales = floats({2}, {1});
  const Tensor sizes = int64s({4});
  const Node node = resize_node("nearest", "asymmetric");
  EXPECT_EQ(error_of(node, 13, {&x, nullptr, &scales, &sizes}), ErrorCode::kInvalidModel);
  EXPECT_EQ(error_of(node, 13, {&x}), ErrorCode::kInvalidModel);
  const Tensor wrong_rank = floats({2, 2}, {2});
  EXPECT_EQ(error_of(node, 13, {&x, nullptr, &wrong_rank}), ErrorCode::kInvalidModel);
}

TEST(Resize, UnknownModeIsUnsupported) {
  const Tensor x = floats({1, 2}, {2});
  EXPECT_EQ(error_of(resize_node("area", "asymmetric"), 13, {&x}), ErrorCode::kUnsupportedOp);
}

TEST(Upsample, Opset7TakesScalesAsAnAttribute) {
  Node node = make_node("Upsample", 1);
  node.attrs["scales"] = floats_attr({1, 2});
  const Tensor x = floats({1, 2}, {1, 2});
  expect_floats(evaluate_node(node, 7, {&x})[0], {1, 4}, {1, 1, 2, 2});
}

TEST(Upsample, Opset9LinearIsAsymmetric) {
  Node node = make_node("Upsample", 2);
  node.attrs["mode"] = string_attr("linear");
  const Tensor x = floats({1, 2}, {2});
  const Tensor scales = floats({2}, {1});
  expect_floats(evaluate_node(node, 9, {&x, &scales})[0], {4}, {1, 1.5f, 2, 2});
}

}  // namespace
}  // namespace ptqc
