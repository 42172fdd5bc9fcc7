#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "support/kernel_test_util.h"

namespace ptqc {
namespace {

using namespace kernel_test;

// x = [[[1, 2], [3, 4]], [[5, 6], [7, 8]]]
const Tensor kCube = floats({1, 2, 3, 4, 5, 6, 7, 8}, {2, 2, 2});

TEST(ReduceSum, TakesAxesAsAnInputFromOpset13) {
  Node node = make_node("ReduceSum", 2);
  node.attrs["keepdims"] = int_attr(0);
  const Tensor axes = int64s({0, 2});
  expect_floats(evaluate_node(node, 13, {&kCube, &axes})[0], {2}, {1 + 2 + 5 + 6, 3 + 4 + 7 + 8});
}

TEST(ReduceSum, EmptyAxesReduceAllOrNothing) {
  Node node = make_node("ReduceSum", 2);
  const Tensor none = int64s({});
  expect_floats(evaluate_node(node, 13, {&kCube, &none})[0], {1, 1, 1}, {36});
  node.attrs["noop_with_empty_axes"] = int_attr(1);
  expect_floats(evaluate_node(node, 13, {&kCube, &none})[0], {2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
}

TEST(ReduceMean, TakesAxesAsAnAttributeBeforeOpset18) {
  Node node = make_node("ReduceMean", 1);
  node.attrs["axes"] = ints_attr({-1});
  expect_floats(evaluate_node(node, 13, {&kCube})[0], {2, 2, 1}, {1.5f, 3.5f, 5.5f, 7.5f});
}

TEST(ReduceMax, TakesAxesAsAnInputFromOpset18) {
  Node node = make_node("ReduceMax", 2);
  node.attrs["keepdims"] = int_attr(0);
  const Tensor axes = int64s({1});
  expect_floats(evaluate_node(node, 18, {&kCube, &axes})[0], {2, 2}, {3, 4, 7, 8});
}

TEST(ReduceMin, SupportsIntegers) {
  Node node = make_node("ReduceMin", 1);
  node.attrs["keepdims"] = int_attr(0);
  const Tensor x = Tensor::from_vector<int32_t>({4, -2, 7, 9}, {2, 2});
  const Tensor y = evaluate_node(node, 13, {&x})[0];
  ASSERT_EQ(y.dtype(), DataType::kInt32);
  ASSERT_EQ(y.shape(), Shape{});
  EXPECT_EQ(y.data<int32_t>()[0], -2);
}

TEST(ReduceProd, MultipliesIntegers) {
  Node node = make_node("ReduceProd", 1);
  node.attrs["axes"] = ints_attr({0});
  const Tensor x = Tensor::from_vector<int64_t>({2, 3, 4, 5}, {2, 2});
  const Tensor y = evaluate_node(node, 13, {&x})[0];
  ASSERT_EQ(y.shape(), (Shape{1, 2}));
  EXPECT_EQ(y.data<int64_t>()[0], 8);
  EXPECT_EQ(y.data<int64_t>()[1], 15);
}

TEST(Reduce, NormsAndLogarithms) {
  const Tensor x = floats({-3, 4}, {2});
  auto reduce = [&](const std::string& op) { return evaluate_node(make_node(op, 1), 13, {&x})[0].data<float>()[0]; };
  EXPECT_FLOAT_EQ(reduce("ReduceL1"), 7);
  EXPECT_FLOAT_EQ(reduce("ReduceL2"), 5);
  EXPECT_FLOAT_EQ(reduce("ReduceSumSquare"), 25);
  EXPECT_FLOAT_EQ(reduce("ReduceLogSum"), std::log(1.0f));
  EXPECT_NEAR(reduce("ReduceLogSumExp"), std::log(std::exp(-3.0f) + std::exp(4.0f)), 1e-6);
}

TEST(ReduceLogSumExp, IsStableForLargeInputs) {
  const Tensor x = floats({1000, 1000}, {2});
  EXPECT_NEAR(evaluate_node(make_node("ReduceLogSumExp", 1), 13, {&x})[0].data<float>()[0], 1000 + std::log(2.0f),
              1e-3);
}

TEST(Reduce, ResultDoesNotDependOnThreads) {
  std::vector<float> values(3 * 50 * 7);
  for (size_t i = 0; i < values.size(); ++i) values[i] = std::sin(static_cast<float>(i));
  const Tensor x = floats(values, {3, 50, 7});
  Node node = make_node("ReduceMean", 1);
  node.attrs["axes"] = ints_attr({0, 2});
  const Tensor one = evaluate_node(node, 13, {&x}, 1)[0];
  const Tensor four = evaluate_node(node, 13, {&x}, 4)[0];
  ASSERT_EQ(one.shape(), (Shape{1, 50, 1}));
  double expected = 0;
  for (int64_t a = 0; a < 3; ++a) {
    for (int64_t c = 0; c < 7; ++c) expected += values[static_cast<size_t>(a * 350 + 10 * 7 + c)];
  }
  EXPECT_NEAR(one.data<float>()[10], expected / 21, 1e-6);
  for (int64_t i = 0; i < 50; ++i) EXPECT_EQ(one.data<float>()[i], four.data<float>()[i]);
}

TEST(Reduce, DuplicateAxesFail) {
  Node node = make_node("ReduceSum", 2);
  const Tensor axes = int64s({1, -2});
  EXPECT_EQ(error_of(node, 13, {&kCube, &axes}), ErrorCode::kInvalidModel);
}

TEST(ArgMax, PicksFirstOrLastOfEqualMaxima) {
  Node node = make_node("ArgMax", 1);
  node.attrs["axis"] = int_attr(1);
  const Tensor x = floats({2, 5, 5, 1, 1, 0}, {2, 3});
  Tensor y = evaluate_node(node, 13, {&x})[0];
  ASSERT_EQ(y.shape(), (Shape{2, 1}));
  EXPECT_EQ(y.data<int64_t>()[0], 1);
  EXPECT_EQ(y.data<int64_t>()[1], 0);
  node.attrs["select_last_index"] = int_attr(1);
  y = evaluate_node(node, 13, {&x})[0];
  EXPECT_EQ(y.data<int64_t>()[0], 2);
  EXPECT_EQ(y.data<int64_t>()[1], 1);
}

TEST(ArgMin, DropsTheAxisWithoutKeepdims) {
  Node node = make_node("ArgMin", 1);
  node.attrs["keepdims"] = int_attr(0);
  const Tensor x = floats({2, 5, 1, 9}, {2, 2});
  const Tensor y = evaluate_node(node, 13, {&x})[0];
  ASSERT_EQ(y.shape(), Shape{2});
  EXPECT_EQ(y.data<int64_t>()[0], 1);
  EXPECT_EQ(y.data<int64_t>()[1], 0);
}

TEST(TopK, ReturnsLargestWithLowerIndexFirstOnTies) {
  Node node = make_node("TopK", 2, 2);
  const Tensor x = floats({1, 3, 2, 3, 0}, {1, 5});
  const Tensor k = int64s({3});
  const auto out = evaluate_node(node, 11, {&x, &k});
  expect_floats(out[0], {1, 3}, {3, 3, 2});
  EXPECT_EQ(std::vector<int64_t>(out[1].values<int64_t>().begin(), out[1].values<int64_t>().end()),
            (std::vector<int64_t>{1, 3, 2}));
}

TEST(TopK, ReturnsSmallestAlongAnInnerAxis) {
  Node node = make_node("TopK", 2, 2);
  node.attrs["axis"] = int_attr(0);
  node.attrs["largest"] = int_attr(0);
  const Tensor x = floats({4, 1, 2, 5, 3, 0}, {3, 2});
  const Tensor k = int64s({2});
  const auto out = evaluate_node(node, 11, {&x, &k});
  expect_floats(out[0], {2, 2}, {2, 0, 3, 1});
  EXPECT_EQ(std::vector<int64_t>(out[1].values<int64_t>().begin(), out[1].values<int64_t>().end()),
            (std::vector<int64_t>{1, 2, 2, 0}));
}

TEST(TopK, TakesKAsAnAttributeBeforeOpset10) {
  Node node = make_node("TopK", 1, 2);
  node.attrs["k"] = int_attr(1);
  const Tensor x = floats({1, 7, 2}, {3});
  expect_floats(evaluate_node(node, 1, {&x})[0], {1}, {7});
}

TEST(TopK, KBeyondTheAxisFails) {
  Node node = make_node("TopK", 2, 2);
  const Tensor x = floats({1, 2}, {2});
  const Tensor k = int64s({3});
  EXPECT_EQ(error_of(node, 11, {&x, &k}), ErrorCode::kInvalidModel);
}

TEST(CumSum, SumsInclusivelyExclusivelyAndInReverse) {
  Node node = make_node("CumSum", 2);
  const Tensor x = floats({1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor axis = Tensor::scalar<int32_t>(1);
  expect_floats(evaluate_node(node, 14, {&x, &axis})[0], {2, 3}, {1, 3, 6, 4, 9, 15});
  node.attrs["exclusive"] = int_attr(1);
  node.attrs["reverse"] = int_attr(1);
  expect_floats(evaluate_node(node, 14, {&x, &axis})[0], {2, 3}, {5, 3, 0, 11, 6, 0});
  const Tensor axis0 = Tensor::scalar<int64_t>(0);
  node.attrs.erase("reverse");
  expect_floats(evaluate_node(node, 14, {&x, &axis0})[0], {2, 3}, {0, 0, 0, 1, 2, 3});
}

TEST(CumSum, AxisOutOfRangeFails) {
  Node node = make_node("CumSum", 2);
  const Tensor x = floats({1, 2}, {2});
  const Tensor axis = Tensor::scalar<int64_t>(1);
  EXPECT_EQ(error_of(node, 14, {&x, &axis}), ErrorCode::kInvalidModel);
}

}  // namespace
}  // namespace ptqc
