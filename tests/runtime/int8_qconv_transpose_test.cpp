// Unit tests of QConvTranspose (src/runtime/kernels/int8/qconv_transpose.cpp, qconv_reference.cpp).

#include <gtest/gtest.h>

#include <random>

#include "int8_test_util.h"
#include "ptqc/error.h"
#include "ptqc/executor.h"
#include "runtime/kernels/int8/qconv.h"

namespace ptqc {
namespace {

using int8_test::ptqc_node;
using kernel_test::int_attr;
using kernel_test::ints_attr;
using kernel_test::values_of;

TEST(QConvTransposeTest, ScattersCentredInputByHand) {
  // x - x_offset = [0, 2]; w = [1, 2, 3]; stride 2: y[2i + k] += (x_i - 1) · w_k, plus bias 10.
  const Tensor x = Tensor::from_vector<int8_t>({1, 3}, {1, 1, 2});
  const Tensor w = Tensor::from_vector<int8_t>({1, 2, 3}, {1, 1, 3});
  const Tensor b = Tensor::from_vector<int32_t>({10}, {1});
  const auto run = [&](std::map<std::string, Attribute> attrs) {
    attrs["x_offset"] = int_attr(1);
    attrs["strides"] = ints_attr({2});
    return kernel_test::run_node(ptqc_node("QConvTranspose", 3, attrs), 21, {&x, &w, &b});
  };
  EXPECT_EQ(values_of<int32_t>(run({})), (std::vector<int32_t>{10, 10, 12, 14, 16}));
  EXPECT_EQ(values_of<int32_t>(run({{"pads", ints_attr({1, 0})}})), (std::vector<int32_t>{10, 12, 14, 16}));
  EXPECT_EQ(values_of<int32_t>(run({{"output_padding", ints_attr({1})}})),
            (std::vector<int32_t>{10, 10, 12, 14, 16, 10}));
}

struct TransposeCase {
  Shape x;
  Shape w;
  int64_t group;
  std::vector<int64_t> strides, dilations, pads, output_padding;
};

TEST(QConvTransposeTest, FastPathsMatchTheReference) {
  const std::vector<TransposeCase> cases = {
      {{1, 5, 4, 4}, {5, 3, 3, 3}, 1, {2, 2}, {}, {1, 1, 1, 1}, {1, 1}},
      {{2, 4, 3, 5}, {4, 3, 2, 2}, 2, {1, 2}, {2, 1}, {0, 1, 1, 0}, {}},
      {{1, 6, 5, 5}, {6, 1, 3, 3}, 6, {2, 2}, {}, {1, 1, 1, 1}, {1, 1}},  // depthwise
      {{1, 33, 6, 7}, {33, 17, 4, 4}, 1, {2, 2}, {}, {1, 1, 1, 1}, {}},   // odd depth
      {{1, 3, 9}, {3, 2, 5}, 1, {3}, {2}, {2, 3}, {2}},                   // 1-D
      {{1, 2, 3, 2, 3}, {2, 2, 2, 2, 2}, 1, {2, 1, 2}, {}, {}, {}},       // 3-D
      {{1, 20, 12, 12}, {20, 8, 2, 2}, 1, {2, 2}, {}, {}, {}},            // several tiles
  };
  std::mt19937 rng(5);
  int case_index = 0;
  for (const TransposeCase& c : cases) {
    const int32_t x_offset = int8_test::kOffsets[case_index++ % 4];
    const Tensor x = int8_test::random_int8(rng, c.x);
    const Tensor w = int8_test::random_int8(rng, c.w);
    const Tensor b = int8_test::random_int32(rng, {c.w[1] * c.group}, 1 << 20);
    Node node = ptqc_node("QConvTranspose", 3, {{"group", int_attr(c.group)}, {"x_offset", int_attr(x_offset)}});
    int8_test::set_ints(node, "strides", c.strides);
    int8_test::set_ints(node, "dilations", c.dilations);
    int8_test::set_ints(node, "pads", c.pads);
    int8_test::set_ints(node, "output_padding", c.output_padding);
    const QConvProblem p = int8_test::read_node(node, {&x, &w, &b}, qconv_transpose_problem);
    std::vector<int32_t> expected(static_cast<size_t>(shape_numel(p.output_shape())));
    qconv_transpose_reference(p, expected.data());
    int8_test::expect_fast_matches<int32_t>(
        expected, [&](const Int8Run& run, int32_t* y) { qconv_transpose_fast(p, pack_qconv_transpose_weights(p, run.isa), run, y); },
        "QConvTranspose case " + std::to_string(case_index));
  }
}

TEST(QConvTransposeTest, RejectsMalformedNodes) {
  const Tensor x = Tensor::from_vector<int8_t>({1, 2}, {1, 1, 2});
  const Tensor w = Tensor::from_vector<int8_t>({1, 2, 3}, {1, 1, 3});
  const Tensor w_wide = Tensor::from_vector<int8_t>({1, 2, 3, 4, 5, 6}, {2, 1, 3});
  const auto code = [&](std::map<std::string, Attribute> attrs, const Tensor& weights) {
    return kernel_test::error_of(ptqc_node("QConvTranspose", 2, std::move(attrs)), 21, {&x, &weights});
  };
  EXPECT_EQ(code({}, w_wide), ErrorCode::kInvalidModel);                        // 2 input channels in w, 1 in x
  EXPECT_EQ(code({{"pads", ints_attr({3, 3})}}, w), ErrorCode::kInvalidModel);  // empty output
  EXPECT_EQ(code({{"output_padding", ints_attr({-1})}}, w), ErrorCode::kInvalidModel);
  EXPECT_EQ(code({{"output_shape", ints_attr({8})}}, w), ErrorCode::kInvalidModel);
  EXPECT_EQ(code({{"strides", ints_attr({0})}}, w), ErrorCode::kInvalidModel);
}

}  // namespace
}  // namespace ptqc
