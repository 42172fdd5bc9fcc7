// Unit tests of QAveragePool (src/runtime/kernels/int8/qpool*.cpp).

#include <gtest/gtest.h>

#include <random>

#include "int8_test_util.h"
#include "ptqc/error.h"
#include "ptqc/executor.h"
#include "runtime/kernels/int8/qpool.h"

namespace ptqc {
namespace {

using int8_test::ptqc_node;
using kernel_test::int_attr;
using kernel_test::ints_attr;
using kernel_test::values_of;

std::vector<int8_t> pooled(const Tensor& x, std::map<std::string, Attribute> attrs) {
  return values_of<int8_t>(kernel_test::run_node(ptqc_node("QAveragePool", 1, std::move(attrs)), 21, {&x}));
}

TEST(QAveragePoolTest, DividesWithTiesToEven) {
  EXPECT_EQ(divide_round_half_even(5, 2), 2);
  EXPECT_EQ(divide_round_half_even(7, 2), 4);
  EXPECT_EQ(divide_round_half_even(-5, 2), -2);
  EXPECT_EQ(divide_round_half_even(-7, 2), -4);
  EXPECT_EQ(divide_round_half_even(44, 3), 15);
  EXPECT_EQ(divide_round_half_even(-43, 3), -14);
  // Windows {1, 2} {3, 4} {-1, -2} {-1, -4}: 1.5, 3.5, -1.5, -2.5.
  const Tensor x = Tensor::from_vector<int8_t>({1, 2, 3, 4, -1, -2, -1, -4}, {1, 1, 1, 8});
  EXPECT_EQ(pooled(x, {{"kernel_shape", ints_attr({1, 2})}, {"strides", ints_attr({1, 2})}}),
            (std::vector<int8_t>{2, 4, -2, -2}));
}

TEST(QAveragePoolTest, PaddingCountsAsTheOffsetOnlyWhenIncluded) {
  const Tensor x = Tensor::from_vector<int8_t>({10, 20, 30}, {1, 1, 1, 3});
  std::map<std::string, Attribute> attrs{
      {"kernel_shape", ints_attr({1, 3})}, {"pads", ints_attr({0, 1, 0, 1})}, {"x_offset", int_attr(-6)}};
  EXPECT_EQ(pooled(x, attrs), (std::vector<int8_t>{15, 20, 25}));
  attrs["count_include_pad"] = int_attr(1);
  // (-6 + 10 + 20) / 3 = 8, 60 / 3 = 20, (20 + 30 - 6) / 3 = 14.67.
  EXPECT_EQ(pooled(x, attrs), (std::vector<int8_t>{8, 20, 15}));
}

TEST(QAveragePoolTest, CeilModeWindowPastTheEndCountsItsInsideTaps) {
  const Tensor x = Tensor::from_vector<int8_t>({1, 2, 3, 4, 5}, {1, 1, 1, 5});
  std::map<std::string, Attribute> attrs{
      {"kernel_shape", ints_attr({1, 2})}, {"strides", ints_attr({1, 2})}, {"ceil_mode", int_attr(1)}};
  EXPECT_EQ(pooled(x, attrs), (std::vector<int8_t>{2, 4, 5}));
  attrs["count_include_pad"] = int_attr(1);
  EXPECT_EQ(pooled(x, attrs), (std::vector<int8_t>{2, 4, 5}));
}

TEST(QAveragePoolTest, GlobalAveragesEachPlane) {
  const Tensor x = Tensor::from_vector<int8_t>({1, 2, 3, 4, -128, -128, -128, -127}, {1, 2, 2, 2});
  const Tensor y = kernel_test::run_node(ptqc_node("QAveragePool", 1, {{"global", int_attr(1)}}), 21, {&x});
  EXPECT_EQ(y.shape(), (Shape{1, 2, 1, 1}));
  EXPECT_EQ(values_of<int8_t>(y), (std::vector<int8_t>{2, -128}));  // 2.5 -> 2, -127.75 -> -128
}

TEST(QAveragePoolTest, FastPathMatchesTheReference) {
  struct Case {
    Shape x;
    std::map<std::string, Attribute> attrs;
  };
  const std::vector<Case> cases = {
      {{2, 3, 7, 8}, {{"kernel_shape", ints_attr({3, 3})}, {"pads", ints_attr({1, 1, 1, 1})}}},
      {{1, 4, 9, 9},
       {{"kernel_shape", ints_attr({3, 2})},
        {"strides", ints_attr({2, 3})},
        {"pads", ints_attr({1, 0, 2, 1})},
        {"count_include_pad", int_attr(1)},
        {"ceil_mode", int_attr(1)}}},
      {{1, 2, 10, 11},
       {{"kernel_shape", ints_attr({2, 3})},
        {"dilations", ints_attr({2, 2})},
        {"ceil_mode", int_attr(1)},
        {"strides", ints_attr({3, 2})}}},
      {{3, 5, 6, 7}, {{"global", int_attr(1)}}},
      {{2, 3, 13},
       {{"kernel_shape", ints_attr({4})},
        {"strides", ints_attr({3})},
        {"pads", ints_attr({2, 2})},
        {"count_include_pad", int_attr(1)}}},
      {{1, 2, 4, 5, 6}, {{"kernel_shape", ints_attr({2, 3, 2})}, {"pads", ints_attr({1, 1, 0, 0, 1, 1})}}},
      {{1, 1, 3, 3},
       {{"kernel_shape", ints_attr({2, 2})}, {"pads", ints_attr({2, 2, 2, 2})}, {"strides", ints_attr({3, 3})}}},
  };
  std::mt19937 rng(9);
  int case_index = 0;
  for (const Case& c : cases) {
    auto attrs = c.attrs;
    attrs["x_offset"] = int_attr(int8_test::kOffsets[case_index++ % 4]);
    const Tensor x = int8_test::random_int8(rng, c.x);
    const QPoolProblem p = int8_test::read_node(ptqc_node("QAveragePool", 1, attrs), {&x}, qaverage_pool_problem);
    std::vector<int8_t> expected(static_cast<size_t>(shape_numel(p.output_shape)));
    qaverage_pool_reference(p, expected.data());
    int8_test::expect_fast_matches<int8_t>(
        expected, [&](const Int8Run& run, int8_t* y) { qaverage_pool_fast(p, run, y); },
        "QAveragePool case " + std::to_string(case_index));
  }
}

TEST(QAveragePoolTest, WindowInsidePaddingGivesTheOffset) {
  // The second window covers only padding: no divisor, so the code of the float value 0.
  const Tensor x = Tensor::from_vector<int8_t>({50}, {1, 1, 1, 1});
  EXPECT_EQ(
      pooled(x, {{"kernel_shape", ints_attr({1, 1})}, {"pads", ints_attr({0, 0, 0, 1})}, {"x_offset", int_attr(-7)}}),
      (std::vector<int8_t>{50, -7}));
}

TEST(QAveragePoolTest, RejectsMalformedNodes) {
  const Tensor x = Tensor::from_vector<int8_t>({1, 2, 3, 4}, {1, 1, 2, 2});
  const Tensor xf = Tensor::from_vector<float>({1, 2, 3, 4}, {1, 1, 2, 2});
  const auto code = [](std::map<std::string, Attribute> attrs, const Tensor& in) {
    return kernel_test::error_of(ptqc_node("QAveragePool", 1, std::move(attrs)), 21, {&in});
  };
  EXPECT_EQ(code({}, x), ErrorCode::kInvalidModel);  // no kernel_shape
  EXPECT_EQ(code({{"global", int_attr(1)}}, xf), ErrorCode::kInvalidModel);
  EXPECT_EQ(code({{"global", int_attr(2)}}, x), ErrorCode::kInvalidModel);
  EXPECT_EQ(code({{"kernel_shape", ints_attr({3, 3})}}, x), ErrorCode::kInvalidModel);  // does not fit
  EXPECT_EQ(code({{"kernel_shape", ints_attr({1, 1})}, {"count_include_pad", int_attr(-1)}}, x),
            ErrorCode::kInvalidModel);
  EXPECT_EQ(code({{"kernel_shape", ints_attr({1, 1})}, {"auto_pad", kernel_test::string_attr("VALID")}}, x),
            ErrorCode::kInvalidModel);
}

}  // namespace
}  // namespace ptqc
