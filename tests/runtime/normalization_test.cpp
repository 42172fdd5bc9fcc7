#include <gtest/gtest.h>

#include <cmath>

#include "support/kernel_test_util.h"

namespace ptqc {
namespace {

using namespace kernel_test;

TEST(BatchNormalization, AppliesPerChannelStatistics) {
  Node node = make_node("BatchNormalization", 5);
  node.attrs["epsilon"] = float_attr(0.0f);
  const Tensor x = floats({1, 2, 3, 4}, {1, 2, 1, 2});
  const Tensor scale = floats({1, 2}, {2}), bias = floats({0, 1}, {2});
  const Tensor mean = floats({1, 3}, {2}), var = floats({4, 1}, {2});
  // c0: (x - 1) / 2; c1: 2 (x - 3) + 1.
  expect_floats(evaluate_node(node, 15, {&x, &scale, &bias, &mean, &var})[0], {1, 2, 1, 2}, {0, 0.5f, 1, 3});
}

TEST(BatchNormalization, NonSpatialFormHasParametersPerPosition) {
  Node node = make_node("BatchNormalization", 5);
  node.attrs["epsilon"] = float_attr(0.0f);
  node.attrs["spatial"] = int_attr(0);
  const Tensor x = floats({1, 2, 3, 4}, {1, 2, 2});
  const Tensor scale = floats({1, 1, 1, 2}, {2, 2}), bias = floats({0, 0, 0, 1}, {2, 2});
  const Tensor mean = floats({0, 1, 2, 3}, {2, 2}), var = floats({1, 1, 1, 4}, {2, 2});
  expect_floats(evaluate_node(node, 7, {&x, &scale, &bias, &mean, &var})[0], {1, 2, 2}, {1, 1, 1, 2});
}

TEST(BatchNormalization, TrainingModeIsUnsupported) {
  Node node = make_node("BatchNormalization", 5, 3);
  node.attrs["training_mode"] = int_attr(1);
  const Tensor x = floats({1, 2}, {1, 2}), p = floats({1, 1}, {2});
  EXPECT_EQ(error_of(node, 15, {&x, &p, &p, &p, &p}), ErrorCode::kUnsupportedOp);
}

TEST(BatchNormalization, WrongParameterLengthFails) {
  Node node = make_node("BatchNormalization", 5);
  const Tensor x = floats({1, 2}, {1, 2}), p = floats({1, 1}, {2}), short_p = floats({1}, {1});
  EXPECT_EQ(error_of(node, 15, {&x, &p, &p, &short_p, &p}), ErrorCode::kInvalidModel);
}

TEST(InstanceNormalization, StandardisesEachPlane) {
  Node node = make_node("InstanceNormalization", 3);
  node.attrs["epsilon"] = float_attr(0.0f);
  // Plane {1, 2, 3, 4}: mean 2.5, variance 1.25; plane {5, 5, 5, 5} with epsilon 0 is 0/0, so use another.
  const Tensor x = floats({1, 2, 3, 4, 0, 0, 2, 2}, {1, 2, 4});
  const Tensor scale = floats({1, 2}, {2}), bias = floats({0, 10}, {2});
  const float s = 1 / std::sqrt(1.25f);
  expect_floats(evaluate_node(node, 6, {&x, &scale, &bias})[0], {1, 2, 4},
                {-1.5f * s, -0.5f * s, 0.5f * s, 1.5f * s, 8, 8, 12, 12});
}

TEST(LayerNormalization, NormalisesTrailingAxesAndReturnsStatistics) {
  Node node = make_node("LayerNormalization", 2, 3);
  node.attrs["epsilon"] = float_attr(0.0f);
  const Tensor x = floats({1, 3, 2, 2}, {2, 2});
  const Tensor scale = floats({2, 3}, {2});
  const auto out = evaluate_node(node, 17, {&x, &scale});
  // Row {1, 3}: mean 2, std 1 -> {-1, 1}; row {2, 2}: mean 2, variance 0 -> 0 * inf is NaN, so only check stats.
  EXPECT_FLOAT_EQ(out[0].data<float>()[0], -2.0f);
  EXPECT_FLOAT_EQ(out[0].data<float>()[1], 3.0f);
  expect_floats(out[1], {2, 1}, {2, 2});
  EXPECT_FLOAT_EQ(out[2].data<float>()[0], 1.0f);
  EXPECT_TRUE(std::isinf(out[2].data<float>()[1]));
}

TEST(LayerNormalization, BroadcastsScaleAndBiasOverSeveralAxes) {
  Node node = make_node("LayerNormalization", 3);
  node.attrs["axis"] = int_attr(0);
  node.attrs["epsilon"] = float_attr(0.0f);
  const Tensor x = floats({0, 2, 0, 2}, {2, 2});
  const Tensor scale = floats({1, 3}, {1, 2}), bias = floats({1, 2}, {2, 1});
  // Normalised {-1, 1, -1, 1}; scale per column, bias per row.
  expect_floats(evaluate_node(node, 17, {&x, &scale, &bias})[0], {2, 2}, {0, 4, 1, 5});
}

TEST(LayerNormalization, UnbroadcastableScaleFails) {
  Node node = make_node("LayerNormalization", 2);
  const Tensor x = floats({1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor scale = floats({1, 1}, {2});
  EXPECT_EQ(error_of(node, 17, {&x, &scale}), ErrorCode::kInvalidModel);
}

TEST(GroupNormalization, ScalesPerGroupInOpset18AndPerChannelInOpset21) {
  Node node = make_node("GroupNormalization", 3);
  node.attrs["num_groups"] = int_attr(1);
  node.attrs["epsilon"] = float_attr(0.0f);
  // One group over both channels {0, 2 | 4, 6}: mean 3, variance 5.
  const Tensor x = floats({0, 2, 4, 6}, {1, 2, 2});
  const float s = 1 / std::sqrt(5.0f);
  const Tensor group_scale = floats({2}, {1}), group_bias = floats({1}, {1});
  expect_floats(evaluate_node(node, 18, {&x, &group_scale, &group_bias})[0], {1, 2, 2},
                {1 - 6 * s, 1 - 2 * s, 1 + 2 * s, 1 + 6 * s});
  const Tensor channel_scale = floats({1, 0}, {2}), channel_bias = floats({0, 7}, {2});
  expect_floats(evaluate_node(node, 21, {&x, &channel_scale, &channel_bias})[0], {1, 2, 2}, {-3 * s, -s, 7, 7});
}

TEST(GroupNormalization, GroupsMustDivideChannels) {
  Node node = make_node("GroupNormalization", 3);
  node.attrs["num_groups"] = int_attr(2);
  const Tensor x = floats({0, 1, 2}, {1, 3, 1}), p = floats({1, 1}, {2});
  EXPECT_EQ(error_of(node, 18, {&x, &p, &p}), ErrorCode::kInvalidModel);
}

TEST(Softmax, Opset13NormalisesAlongTheAxis) {
  Node node = make_node("Softmax", 1);
  node.attrs["axis"] = int_attr(0);
  const Tensor x = floats({0, 1, std::log(3.0f), 1}, {2, 2});
  expect_floats(evaluate_node(node, 13, {&x})[0], {2, 2}, {0.25f, 0.5f, 0.75f, 0.5f});
}

TEST(Softmax, BeforeOpset13CoercesTo2D) {
  Node node = make_node("Softmax", 1);
  node.attrs["axis"] = int_attr(0);
  // axis 0: the whole tensor is one row.
  const Tensor x = floats({0, 0, 0, 0}, {2, 2});
  expect_floats(evaluate_node(node, 11, {&x})[0], {2, 2}, {0.25f, 0.25f, 0.25f, 0.25f});
}

TEST(LogSoftmax, IsStableForLargeInputs) {
  Node node = make_node("LogSoftmax", 1);
  const Tensor x = floats({1000, 1000}, {1, 2});
  expect_floats(evaluate_node(node, 13, {&x})[0], {1, 2}, {-std::log(2.0f), -std::log(2.0f)});
}

TEST(Hardmax, MarksTheFirstMaximum) {
  Node node = make_node("Hardmax", 1);
  const Tensor x = floats({3, 1, 3, -1, -2, -1}, {2, 3});
  expect_floats(evaluate_node(node, 13, {&x})[0], {2, 3}, {1, 0, 0, 1, 0, 0});
}

TEST(Softmax, ScalarInputFails) {
  Node node = make_node("Softmax", 1);
  const Tensor x = floats({1}, {});
  EXPECT_EQ(error_of(node, 13, {&x}), ErrorCode::kInvalidModel);
}

TEST(LpNormalization, DividesByTheNorm) {
  Node node = make_node("LpNormalization", 1);
  const Tensor x = floats({3, 4, 0, 0}, {2, 2});
  expect_floats(evaluate_node(node, 1, {&x})[0], {2, 2}, {0.6f, 0.8f, 0, 0});
  node.attrs["p"] = int_attr(1);
  node.attrs["axis"] = int_attr(0);
  expect_floats(evaluate_node(node, 1, {&x})[0], {2, 2}, {1, 1, 0, 0});
  node.attrs["p"] = int_attr(3);
  EXPECT_EQ(error_of(node, 1, {&x}), ErrorCode::kInvalidModel);
}

TEST(MeanVarianceNormalization, NormalisesOverTheGivenAxes) {
  Node node = make_node("MeanVarianceNormalization", 1);
  node.attrs["axes"] = ints_attr({1});
  const Tensor x = floats({1, 3, 5, 5}, {2, 2});
  // Row {1, 3}: mean 2, std 1; row {5, 5}: std 0, so (x - mean) / 1e-9 = 0.
  expect_floats(evaluate_node(node, 13, {&x})[0], {2, 2}, {-1, 1, 0, 0});
}

}  // namespace
}  // namespace ptqc
