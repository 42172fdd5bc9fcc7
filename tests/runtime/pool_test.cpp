// Unit tests of the pooling kernels (src/runtime/kernels/pool.cpp).

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "ptqc/error.h"
#include "ptqc/executor.h"
#include "support/kernel_test_util.h"

namespace ptqc {
namespace {

using kernel_test::error_of;
using kernel_test::int_attr;
using kernel_test::ints_attr;
using kernel_test::run_node;
using kernel_test::values_of;

/// make_node with one input and the given attributes.
Node pool_node(const std::string& op, std::map<std::string, Attribute> attrs, size_t outputs = 1) {
  Node node = kernel_test::make_node(op, 1, outputs);
  node.attrs = std::move(attrs);
  return node;
}

std::vector<float> iota_values(int64_t n, float first) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = first + static_cast<float>(i);
  return v;
}

/// Output 0 of \p node on \p x, expected to hold \p expected (float32, any shape).
void expect_pooled(const Node& node, int64_t opset, const Tensor& x, const std::vector<float>& expected) {
  const Tensor y = run_node(node, opset, {&x});
  kernel_test::expect_floats(y, y.shape(), expected);
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
  expect_pooled(pool_node("MaxPool", {{"kernel_shape", ints_attr({3, 3})}, {"pads", ints_attr({1, 1, 1, 1})}}), 12, x,
                {-1, -1, -2, -1, -1, -2, -4, -4, -5});
}

TEST(MaxPoolTest, DilatesAndDropsCeilWindowsStartingInPadding) {
  const Tensor x = Tensor::from_vector<float>({1, 5, 2, 8, 3, 0, 7}, {1, 1, 7});
  expect_pooled(pool_node("MaxPool", {{"kernel_shape", ints_attr({2})}, {"dilations", ints_attr({3})}}), 12, x,
                {8, 5, 2, 8});
  // in 4, kernel 1, stride 2, end pad 1: ceil gives 3 windows, but the third would start in the padding.
  const Tensor x4 = Tensor::from_vector<float>({1, 2, 3, 4}, {1, 1, 4});
  const Tensor ceil = run_node(
      pool_node("MaxPool", {{"kernel_shape", ints_attr({1})}, {"strides", ints_attr({2})}, {"pads", ints_attr({0, 1})},
                            {"ceil_mode", int_attr(1)}}),
      12, {&x4});
  kernel_test::expect_floats(ceil, {1, 1, 2}, {1, 3});
}

TEST(MaxPoolTest, PoolsInt8) {
  const Tensor x = Tensor::from_vector<int8_t>({-5, 3, -128, 7}, {1, 1, 4});
  const Tensor y = run_node(pool_node("MaxPool", {{"kernel_shape", ints_attr({2})}, {"strides", ints_attr({2})}}), 12, {&x});
  EXPECT_EQ(y.dtype(), DataType::kInt8);
  EXPECT_EQ(values_of<int8_t>(y), (std::vector<int8_t>{3, 7}));
}

TEST(AveragePoolTest, CountsPaddingOnlyWhenAsked) {
  const Tensor x = Tensor::from_vector<float>(iota_values(9, 1), {1, 1, 3, 3});
  auto attrs = std::map<std::string, Attribute>{{"kernel_shape", ints_attr({3, 3})}, {"pads", ints_attr({1, 1, 1, 1})}};
  expect_pooled(pool_node("AveragePool", attrs), 11, x, {3, 3.5f, 4, 4.5f, 5, 5.5f, 6, 6.5f, 7});
  attrs["count_include_pad"] = int_attr(1);
  expect_pooled(pool_node("AveragePool", attrs), 11, x,
                {12 / 9.0f, 21 / 9.0f, 16 / 9.0f, 27 / 9.0f, 5, 33 / 9.0f, 24 / 9.0f, 39 / 9.0f, 28 / 9.0f});
}

TEST(AveragePoolTest, CeilModeWindowCountsOnlyTheInput) {
  const Tensor x = Tensor::from_vector<float>({1, 2, 3, 4, 5}, {1, 1, 5});
  for (int64_t include_pad : {0, 1}) {
    const Tensor y = run_node(
        pool_node("AveragePool", {{"kernel_shape", ints_attr({2})}, {"strides", ints_attr({2})},
                                  {"ceil_mode", int_attr(1)}, {"count_include_pad", int_attr(include_pad)}}),
        11, {&x});
    kernel_test::expect_floats(y, {1, 1, 3}, {1.5f, 3.5f, 5});
  }
}

TEST(AveragePoolTest, SameUpperPadsAtTheEnd) {
  // in 4, kernel 2, stride 1: one unit of padding, at the end for SAME_UPPER.
  const Tensor x = Tensor::from_vector<float>({2, 4, 6, 8}, {1, 1, 4});
  expect_pooled(
      pool_node("AveragePool", {{"kernel_shape", ints_attr({2})}, {"auto_pad", kernel_test::string_attr("SAME_UPPER")}}),
      11, x, {3, 5, 7, 8});
}

TEST(AveragePoolTest, ComputesFloat64) {
  // Two 8x8 planes holding 0..127, 2x2 windows, stride 2: 16 outputs per plane (the vector sweep).
  std::vector<double> values(128);
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<double>(i);
  const Tensor x = Tensor::from_vector<double>(values, {1, 2, 8, 8});
  const Tensor y = run_node(
      pool_node("AveragePool", {{"kernel_shape", ints_attr({2, 2})}, {"strides", ints_attr({2, 2})}}), 11, {&x});
  ASSERT_EQ(y.dtype(), DataType::kFloat64);
  ASSERT_EQ(y.shape(), (Shape{1, 2, 4, 4}));
  // Window (oh, ow) of plane p averages base + {0, 1, 8, 9}, base = 64p + 16oh + 2ow.
  for (int64_t p = 0; p < 2; ++p) {
    for (int64_t oh = 0; oh < 4; ++oh) {
      for (int64_t ow = 0; ow < 4; ++ow) {
        EXPECT_DOUBLE_EQ(y.data<double>()[(p * 4 + oh) * 4 + ow], 64.0 * p + 16.0 * oh + 2.0 * ow + 4.5);
      }
    }
  }
}

TEST(LpPoolTest, TakesWindowNorms) {
  const Tensor x = Tensor::from_vector<float>({1, -2, 3, -4}, {1, 1, 4});
  auto attrs = std::map<std::string, Attribute>{{"kernel_shape", ints_attr({2})}, {"strides", ints_attr({2})},
                                                {"p", int_attr(1)}};
  expect_pooled(pool_node("LpPool", attrs), 11, x, {3, 7});
  attrs["p"] = int_attr(2);
  expect_pooled(pool_node("LpPool", attrs), 11, x, {std::sqrt(5.0f), 5});
}

TEST(GlobalPoolTest, ReducesWholePlanes) {
  const Tensor x = Tensor::from_vector<float>({1, 2, 3, 4, -1, -2, -3, -4}, {1, 2, 2, 2});
  kernel_test::expect_floats(run_node(pool_node("GlobalAveragePool", {}), 13, {&x}), {1, 2, 1, 1}, {2.5f, -2.5f});
  expect_pooled(pool_node("GlobalMaxPool", {}), 13, x, {4, -1});
  expect_pooled(pool_node("GlobalLpPool", {}), 13, x, {std::sqrt(30.0f), std::sqrt(30.0f)});
}

/// A 2-D MaxPool or AveragePool problem and its attributes.
struct Pool2d {
  std::string op;
  std::vector<int64_t> kernel, strides, dilations, pads;  // pads: top, left, bottom, right
  int64_t ceil_mode = 0;
  int64_t count_include_pad = 0;
};

/// The pool of \p p on \p x straight from the definition, for the output shape \p y_shape.
std::vector<float> naive_pool2d(const Pool2d& p, const Tensor& x, const Shape& y_shape) {
  const int64_t h = x.dim(2), w = x.dim(3);
  std::vector<float> y;
  for (int64_t plane = 0; plane < x.dim(0) * x.dim(1); ++plane) {
    for (int64_t oh = 0; oh < y_shape[2]; ++oh) {
      for (int64_t ow = 0; ow < y_shape[3]; ++ow) {
        float best = -INFINITY;
        double sum = 0;
        int64_t inside = 0, padded = 0;
        for (int64_t kh = 0; kh < p.kernel[0]; ++kh) {
          for (int64_t kw = 0; kw < p.kernel[1]; ++kw) {
            const int64_t ih = oh * p.strides[0] - p.pads[0] + kh * p.dilations[0];
            const int64_t iw = ow * p.strides[1] - p.pads[1] + kw * p.dilations[1];
            if (ih >= -p.pads[0] && ih < h + p.pads[2] && iw >= -p.pads[1] && iw < w + p.pads[3]) ++padded;
            if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
            const float v = x.data<float>()[(plane * h + ih) * w + iw];
            best = std::max(best, v);
            sum += v;
            ++inside;
          }
        }
        y.push_back(p.op == "MaxPool" ? best : static_cast<float>(sum / (p.count_include_pad ? padded : inside)));
      }
    }
  }
  return y;
}

TEST(PoolTest, VectorSweepMatchesNaiveWindows) {
  const Pool2d cases[] = {{"MaxPool", {5, 5}, {1, 1}, {1, 1}, {2, 2, 2, 2}},
                          {"MaxPool", {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, 1},
                          {"MaxPool", {2, 3}, {3, 1}, {2, 2}, {0, 1, 1, 0}},
                          {"AveragePool", {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, 1, 0},
                          {"AveragePool", {3, 2}, {1, 2}, {1, 1}, {1, 0, 1, 1}, 0, 1},
                          {"AveragePool", {4, 4}, {3, 3}, {1, 1}, {0, 0, 0, 0}, 1, 1}};
  std::mt19937 gen(9);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  Tensor x(DataType::kFloat32, {2, 3, 23, 29});
  for (float& v : x.values<float>()) v = dist(gen);
  for (const Pool2d& p : cases) {
    std::map<std::string, Attribute> attrs{{"kernel_shape", ints_attr(p.kernel)}, {"strides", ints_attr(p.strides)},
                                           {"pads", ints_attr(p.pads)}, {"ceil_mode", int_attr(p.ceil_mode)}};
    if (p.op == "MaxPool") attrs["dilations"] = ints_attr(p.dilations);
    if (p.op == "AveragePool") attrs["count_include_pad"] = int_attr(p.count_include_pad);
    const Tensor y = run_node(pool_node(p.op, attrs), 19, {&x});
    ASSERT_EQ(y.rank(), 4);
    kernel_test::expect_floats(y, y.shape(), naive_pool2d(p, x, y.shape()));
  }
}

TEST(PoolTest, ResultDoesNotDependOnThreadCount) {
  std::mt19937 gen(3);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  Tensor x(DataType::kFloat32, {2, 5, 33, 31});
  for (float& v : x.values<float>()) v = dist(gen);
  const auto attrs = std::map<std::string, Attribute>{
      {"kernel_shape", ints_attr({3, 3})}, {"strides", ints_attr({2, 2})}, {"pads", ints_attr({1, 1, 1, 1})}};
  for (const std::string op : {"MaxPool", "AveragePool"}) {
    const Tensor one = run_node(pool_node(op, attrs), 13, {&x}, 1);
    const Tensor three = run_node(pool_node(op, attrs), 13, {&x}, 3);
    EXPECT_EQ(one.shape(), (Shape{2, 5, 17, 16}));
    EXPECT_EQ(values_of<float>(one), values_of<float>(three)) << op;
  }
}

TEST(PoolTest, RejectsMalformedNodes) {
  const Tensor x(DataType::kFloat32, {1, 1, 4, 4});
  const auto expect_invalid = [](const Node& node, const Tensor& input) {
    EXPECT_EQ(error_of(node, 13, {&input}), ErrorCode::kInvalidModel);
  };
  expect_invalid(pool_node("MaxPool", {}), x);
  expect_invalid(pool_node("MaxPool", {{"kernel_shape", ints_attr({2, 2})}, {"pads", ints_attr({1, 1})}}), x);
  expect_invalid(pool_node("AveragePool", {{"kernel_shape", ints_attr({5, 5})}}), x);
  const Tensor matrix(DataType::kFloat32, {4, 4});
  expect_invalid(pool_node("GlobalAveragePool", {}), matrix);
}

}  // namespace
}  // namespace ptqc
