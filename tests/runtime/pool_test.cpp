#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "ptqc/error.h"
#include "ptqc/executor.h"

namespace ptqc {
namespace {

Attribute ints_attr(std::vector<int64_t> v) {
  Attribute a;
  a.kind = Attribute::Kind::kInts;
  a.ints = std::move(v);
  return a;
}

Attribute int_attr(int64_t v) {
  Attribute a;
  a.kind = Attribute::Kind::kInt;
  a.i = v;
  return a;
}

Node pool_node(const std::string& op, std::map<std::string, Attribute> attrs, size_t outputs = 1) {
  Node node;
  node.name = "p";
  node.op_type = op;
  node.inputs = {"x"};
  for (size_t i = 0; i < outputs; ++i) node.outputs.push_back("y" + std::to_string(i));
  node.attrs = std::move(attrs);
  return node;
}

template <class T>
std::vector<T> values_of(const Tensor& t) {
  return std::vector<T>(t.values<T>().begin(), t.values<T>().end());
}

std::vector<float> iota_values(int64_t n, float first) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = first + static_cast<float>(i);
  return v;
}

void expect_near(const Tensor& t, const std::vector<float>& expected) {
  ASSERT_EQ(t.numel(), static_cast<int64_t>(expected.size()));
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(t.data<float>()[i], expected[i], 1e-5) << "at " << i;
}

TEST(MaxPoolTest, TakesWindowMaximaAndReportsIndices) {
  // Two 4x4 planes holding 0..31; 2x2 windows, stride 2.
  const Tensor x = Tensor::from_vector<float>(iota_values(32, 0), {1, 2, 4, 4});
  const auto attrs = std::map<std::string, Attribute>{{"kernel_shape", ints_attr({2, 2})}, {"strides", ints_attr({2, 2})}};
  const std::vector<Tensor> out = evaluate_node(pool_node("MaxPool", attrs, 2), 12, {&x});
  EXPECT_EQ(out[0].shape(), (Shape{1, 2, 2, 2}));
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{5, 7, 13, 15, 21, 23, 29, 31}));
  EXPECT_EQ(values_of<int64_t>(out[1]), (std::vector<int64_t>{5, 7, 13, 15, 21, 23, 29, 31}));
  // storage_order 1: the spatial index is column-major, h + w·H.
  auto column_major = attrs;
  column_major["storage_order"] = int_attr(1);
  const std::vector<Tensor> cm = evaluate_node(pool_node("MaxPool", column_major, 2), 12, {&x});
  EXPECT_EQ(values_of<int64_t>(cm[1]), (std::vector<int64_t>{5, 13, 7, 15, 21, 29, 23, 31}));
}

TEST(MaxPoolTest, PaddingNeverWins) {
  const Tensor x = Tensor::from_vector<float>({-1, -2, -3, -4, -5, -6, -7, -8, -9}, {1, 1, 3, 3});
  const std::vector<Tensor> out = evaluate_node(
      pool_node("MaxPool", {{"kernel_shape", ints_attr({3, 3})}, {"pads", ints_attr({1, 1, 1, 1})}}), 12, {&x});
  EXPECT_EQ(values_of<float>(out[0]), (std::vector<float>{-1, -1, -2, -1, -1, -2, -4, -4, -5}));
}

TEST(MaxPoolTest, DilatesAndDropsCeilWindowsStartingInPadding) {
  const Tensor x = Tensor::from_vector<float>({1, 5, 2, 8, 3, 0, 7}, {1, 1, 7});
  const std::vector<Tensor> dilated =
      evaluate_node(pool_node("MaxPool", {{"kernel_shape", ints_attr({2})}, {"dilations", ints_attr({3})}}), 12, {&x});
  EXPECT_EQ(values_of<float>(dilated[0]), (std::vector<float>{8, 5, 2, 8}));
  // in 4, kernel 1, stride 2, end pad 1: ceil gives 3 windows, but the third would start in the padding.
  const Tensor x4 = Tensor::from_vector<float>({1, 2, 3, 4}, {1, 1, 4});
  const std::vector<Tensor> ceil = evaluate_node(
      pool_node("MaxPool", {{"kernel_shape", ints_attr({1})}, {"strides", ints_attr({2})}, {"pads", ints_attr({0, 1})},
                            {"ceil_mode", int_attr(1)}}),
      12, {&x4});
  EXPECT_EQ(ceil[0].shape(), (Shape{1, 1, 2}));
  EXPECT_EQ(values_of<float>(ceil[0]), (std::vector<float>{1, 3}));
}

TEST(MaxPoolTest, PoolsInt8) {
  const Tensor x = Tensor::from_vector<int8_t>({-5, 3, -128, 7}, {1, 1, 4});
  const std::vector<Tensor> out =
      evaluate_node(pool_node("MaxPool", {{"kernel_shape", ints_attr({2})}, {"strides", ints_attr({2})}}), 12, {&x});
  EXPECT_EQ(out[0].dtype(), DataType::kInt8);
  EXPECT_EQ(values_of<int8_t>(out[0]), (std::vector<int8_t>{3, 7}));
}

TEST(AveragePoolTest, CountsPaddingOnlyWhenAsked) {
  const Tensor x = Tensor::from_vector<float>(iota_values(9, 1), {1, 1, 3, 3});
  auto attrs = std::map<std::string, Attribute>{{"kernel_shape", ints_attr({3, 3})}, {"pads", ints_attr({1, 1, 1, 1})}};
  expect_near(evaluate_node(pool_node("AveragePool", attrs), 11, {&x})[0], {3, 3.5f, 4, 4.5f, 5, 5.5f, 6, 6.5f, 7});
  attrs["count_include_pad"] = int_attr(1);
  expect_near(evaluate_node(pool_node("AveragePool", attrs), 11, {&x})[0],
              {12 / 9.0f, 21 / 9.0f, 16 / 9.0f, 27 / 9.0f, 5, 33 / 9.0f, 24 / 9.0f, 39 / 9.0f, 28 / 9.0f});
}

TEST(AveragePoolTest, CeilModeWindowCountsOnlyTheInput) {
  const Tensor x = Tensor::from_vector<float>({1, 2, 3, 4, 5}, {1, 1, 5});
  for (int64_t include_pad : {0, 1}) {
    const std::vector<Tensor> out = evaluate_node(
        pool_node("AveragePool", {{"kernel_shape", ints_attr({2})}, {"strides", ints_attr({2})},
                                  {"ceil_mode", int_attr(1)}, {"count_include_pad", int_attr(include_pad)}}),
        11, {&x});
    EXPECT_EQ(out[0].shape(), (Shape{1, 1, 3}));
    expect_near(out[0], {1.5f, 3.5f, 5});
  }
}

TEST(AveragePoolTest, SameUpperPadsAtTheEnd) {
  // in 4, kernel 2, stride 1: one unit of padding, at the end for SAME_UPPER.
  const Tensor x = Tensor::from_vector<float>({2, 4, 6, 8}, {1, 1, 4});
  Attribute same;
  same.kind = Attribute::Kind::kString;
  same.s = "SAME_UPPER";
  const std::vector<Tensor> out =
      evaluate_node(pool_node("AveragePool", {{"kernel_shape", ints_attr({2})}, {"auto_pad", same}}), 11, {&x});
  expect_near(out[0], {3, 5, 7, 8});
}

TEST(LpPoolTest, TakesWindowNorms) {
  const Tensor x = Tensor::from_vector<float>({1, -2, 3, -4}, {1, 1, 4});
  auto attrs = std::map<std::string, Attribute>{{"kernel_shape", ints_attr({2})}, {"strides", ints_attr({2})},
                                                {"p", int_attr(1)}};
  expect_near(evaluate_node(pool_node("LpPool", attrs), 11, {&x})[0], {3, 7});
  attrs["p"] = int_attr(2);
  expect_near(evaluate_node(pool_node("LpPool", attrs), 11, {&x})[0], {std::sqrt(5.0f), 5});
}

TEST(GlobalPoolTest, ReducesWholePlanes) {
  const Tensor x = Tensor::from_vector<float>({1, 2, 3, 4, -1, -2, -3, -4}, {1, 2, 2, 2});
  const Tensor avg = evaluate_node(pool_node("GlobalAveragePool", {}), 13, {&x})[0];
  EXPECT_EQ(avg.shape(), (Shape{1, 2, 1, 1}));
  expect_near(avg, {2.5f, -2.5f});
  expect_near(evaluate_node(pool_node("GlobalMaxPool", {}), 13, {&x})[0], {4, -1});
  expect_near(evaluate_node(pool_node("GlobalLpPool", {}), 13, {&x})[0], {std::sqrt(30.0f), std::sqrt(30.0f)});
}

TEST(PoolTest, ResultDoesNotDependOnThreadCount) {
  std::mt19937 gen(3);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  Tensor x(DataType::kFloat32, {2, 5, 33, 31});
  for (float& v : x.values<float>()) v = dist(gen);
  const auto attrs = std::map<std::string, Attribute>{
      {"kernel_shape", ints_attr({3, 3})}, {"strides", ints_attr({2, 2})}, {"pads", ints_attr({1, 1, 1, 1})}};
  for (const std::string op : {"MaxPool", "AveragePool"}) {
    const Tensor one = evaluate_node(pool_node(op, attrs), 13, {&x}, 1)[0];
    const Tensor three = evaluate_node(pool_node(op, attrs), 13, {&x}, 3)[0];
    EXPECT_EQ(one.shape(), (Shape{2, 5, 17, 16}));
    EXPECT_EQ(values_of<float>(one), values_of<float>(three)) << op;
  }
}

TEST(PoolTest, RejectsMalformedNodes) {
  const Tensor x(DataType::kFloat32, {1, 1, 4, 4});
  const auto expect_invalid = [&](const Node& node, const Tensor& input) {
    try {
      evaluate_node(node, 13, {&input});
      FAIL() << "expected an error";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidModel) << e.what();
    }
  };
  expect_invalid(pool_node("MaxPool", {}), x);
  expect_invalid(pool_node("MaxPool", {{"kernel_shape", ints_attr({2, 2})}, {"pads", ints_attr({1, 1})}}), x);
  expect_invalid(pool_node("AveragePool", {{"kernel_shape", ints_attr({5, 5})}}), x);
  const Tensor matrix(DataType::kFloat32, {4, 4});
  expect_invalid(pool_node("GlobalAveragePool", {}), matrix);
}

}  // namespace
}  // namespace ptqc
