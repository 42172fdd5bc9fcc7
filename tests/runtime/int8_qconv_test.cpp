// Unit tests of QConv (src/runtime/kernels/int8/qconv*.cpp): hand-computed cases, the
// fast paths against the reference on random shapes, and malformed nodes.

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

Tensor int8s(const std::vector<int8_t>& v, Shape shape) { return Tensor::from_vector(v, std::move(shape)); }
Tensor int32s(const std::vector<int32_t>& v) { return Tensor::from_vector(v, {static_cast<int64_t>(v.size())}); }

TEST(QConvTest, PointwiseWithOffsetAndBias) {
  // acc[m, p] = bias[m] + Σ_c w[m, c] · (x[c, p] - 3).
  const Tensor x = int8s({10, -5, 3, 127}, {1, 2, 1, 2});
  const Tensor w = int8s({2, -1, -128, 127}, {2, 2, 1, 1});
  const Tensor b = int32s({100, -7});
  const Tensor y = kernel_test::run_node(ptqc_node("QConv", 3, {{"x_offset", int_attr(3)}}), 21, {&x, &w, &b});
  EXPECT_EQ(y.shape(), (Shape{1, 2, 1, 2}));
  EXPECT_EQ(values_of<int32_t>(y), (std::vector<int32_t>{114, -40, -903, 16765}));
}

TEST(QConvTest, PaddingHoldsTheOffset) {
  // x - x_offset = [0 1; 2 3]; 3x3 weights 1..9, pads 1: padded taps add (x_offset - x_offset) · w = 0.
  const Tensor x = int8s({1, 2, 3, 4}, {1, 1, 2, 2});
  const Tensor w = int8s({1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 1, 3, 3});
  const Node node = ptqc_node("QConv", 2, {{"x_offset", int_attr(1)}, {"pads", ints_attr({1, 1, 1, 1})}});
  const Tensor y = kernel_test::run_node(node, 21, {&x, &w});
  EXPECT_EQ(y.shape(), (Shape{1, 1, 2, 2}));
  EXPECT_EQ(values_of<int32_t>(y), (std::vector<int32_t>{49, 43, 31, 25}));
}

/// One randomized QConv case.
struct ConvCase {
  Shape x;
  Shape w;
  int64_t group;
  std::vector<int64_t> strides, dilations, pads;
};

/// The QConv node of \p c with \p x_offset.
Node conv_node(const ConvCase& c, int32_t x_offset) {
  Node node = ptqc_node("QConv", 3, {{"group", int_attr(c.group)}, {"x_offset", int_attr(x_offset)}});
  int8_test::set_ints(node, "strides", c.strides);
  int8_test::set_ints(node, "dilations", c.dilations);
  int8_test::set_ints(node, "pads", c.pads);
  return node;
}

TEST(QConvTest, FastPathsMatchTheReference) {
  const std::vector<ConvCase> cases = {
      {{2, 5, 6, 7}, {7, 5, 3, 3}, 1, {}, {}, {1, 1, 1, 1}},                     // 3x3, pad 1
      {{1, 8, 9, 8}, {12, 2, 3, 2}, 4, {2, 1}, {1, 2}, {0, 1, 2, 0}},            // groups, strides, dilations
      {{1, 6, 9, 10}, {12, 1, 3, 3}, 6, {2, 2}, {}, {1, 1, 1, 1}},               // depthwise, multiplier 2
      {{2, 5, 7, 5}, {5, 1, 3, 3}, 5, {1, 2}, {2, 1}, {2, 0, 1, 3}},             // depthwise, multiplier 1
      {{1, 33, 5, 9}, {19, 33, 1, 1}, 1, {}, {}, {}},                            // pointwise, odd depth, 45 positions
      {{1, 33, 5, 9}, {19, 33, 1, 1}, 1, {2, 1}, {}, {0, 1, 1, 0}},              // 1x1 with stride and pads
      {{2, 3, 20}, {4, 3, 5}, 1, {3}, {2}, {2, 4}},                              // 1-D
      {{1, 4, 17}, {4, 1, 4}, 4, {1}, {3}, {5, 0}},                              // 1-D depthwise
      {{1, 2, 4, 5, 3}, {3, 2, 2, 3, 2}, 1, {1, 2, 1}, {}, {1, 1, 0, 0, 1, 1}},  // 3-D
      {{1, 3, 3, 4, 5}, {6, 1, 2, 2, 3}, 3, {2, 1, 1}, {1, 2, 1}, {0, 1, 1, 1, 0, 1}},  // 3-D depthwise
      {{1, 64, 17, 19}, {40, 64, 3, 3}, 1, {}, {}, {1, 1, 1, 1}},                       // several tiles
      {{1, 16, 6, 6}, {3, 16, 2, 2}, 1, {}, {}, {}},              // fewer channels than a row tile
      {{1, 6, 3, 3}, {6, 3, 3, 3}, 2, {}, {2, 2}, {2, 2, 2, 2}},  // windows far into the padding
      {{1, 4, 5, 75}, {5, 4, 3, 3}, 1, {2, 2}, {}, {1, 1, 1, 1}},  // stride-2 rows long enough for SSE2
  };
  std::mt19937 rng(7);
  int case_index = 0;
  for (const ConvCase& c : cases) {
    const int32_t x_offset = int8_test::kOffsets[case_index++ % 4];
    const Tensor x = int8_test::random_int8(rng, c.x);
    const Tensor w = int8_test::random_int8(rng, c.w);
    const Tensor b = int8_test::random_int32(rng, {c.w[0]}, 1 << 20);
    const Node node = conv_node(c, x_offset);
    const QConvProblem p = int8_test::read_node(node, {&x, &w, &b}, qconv_problem);
    std::vector<int32_t> expected(static_cast<size_t>(shape_numel(p.output_shape())));
    qconv_reference(p, expected.data());
    int8_test::expect_fast_matches<int32_t>(
        expected, [&](const Int8Run& run, int32_t* y) { qconv_fast(p, pack_qconv_weights(p, run.isa), run, ProductOutput{y}); },
        "QConv case " + std::to_string(case_index));
  }
}

TEST(QConvTest, WrapsLikeTheReferenceBeyondInt32) {
  // 600 · 11 · 11 taps of (127 - (-128)) · (-128): the true sum is below INT32_MIN; every path
  // gives it mod 2^32.
  Tensor x(DataType::kInt8, {1, 600, 11, 11});
  Tensor w(DataType::kInt8, {2, 600, 11, 11});
  for (int8_t& v : x.values<int8_t>()) v = 127;
  for (int8_t& v : w.values<int8_t>()) v = -128;
  const QConvProblem p =
      int8_test::read_node(ptqc_node("QConv", 2, {{"x_offset", int_attr(-128)}}), {&x, &w}, qconv_problem);
  std::vector<int32_t> expected(2);
  qconv_reference(p, expected.data());
  EXPECT_EQ(expected[0], static_cast<int32_t>(int64_t{600 * 121} * 255 * -128));
  int8_test::expect_fast_matches<int32_t>(
      expected, [&](const Int8Run& run, int32_t* y) { qconv_fast(p, pack_qconv_weights(p, run.isa), run, ProductOutput{y}); }, "wrapping QConv");
}

TEST(QConvTest, BatchedKernelAgreesAcrossThreads) {
  std::mt19937 rng(3);
  const Tensor x = int8_test::random_int8(rng, {3, 8, 10, 10});
  const Tensor w = int8_test::random_int8(rng, {16, 8, 3, 3});
  const Node node = ptqc_node("QConv", 2, {{"x_offset", int_attr(-3)}, {"strides", ints_attr({2, 2})}});
  const Tensor one = evaluate_node(node, 21, {&x, &w}, 1).at(0);
  const Tensor three = evaluate_node(node, 21, {&x, &w}, 3).at(0);
  EXPECT_EQ(one.shape(), (Shape{3, 16, 4, 4}));
  EXPECT_EQ(values_of<int32_t>(one), values_of<int32_t>(three));
}

TEST(QConvTest, EmptyDimsGiveBiasOrNothing) {
  // No input channels: every output is its bias. No images: an empty output.
  const Tensor x = Tensor(DataType::kInt8, {1, 0, 2, 2});
  const Tensor w = Tensor(DataType::kInt8, {2, 0, 1, 1});
  const Tensor b = int32s({7, -9});
  const Tensor y = kernel_test::run_node(ptqc_node("QConv", 3), 21, {&x, &w, &b}, 2);
  EXPECT_EQ(values_of<int32_t>(y), (std::vector<int32_t>{7, 7, 7, 7, -9, -9, -9, -9}));
  const Tensor none = Tensor(DataType::kInt8, {0, 3, 2, 2});
  const Tensor w3 = Tensor(DataType::kInt8, {2, 3, 1, 1});
  EXPECT_EQ(kernel_test::run_node(ptqc_node("QConv", 3), 21, {&none, &w3, &b}).shape(), (Shape{0, 2, 2, 2}));
}

TEST(QConvTest, RejectsMalformedNodes) {
  const Tensor x = int8s({1, 2, 3, 4}, {1, 1, 2, 2});
  const Tensor w = int8s({1}, {1, 1, 1, 1});
  const Tensor w2 = int8s({1, 1}, {2, 1, 1, 1});
  const Tensor xf = Tensor::from_vector<float>({1, 2, 3, 4}, {1, 1, 2, 2});
  const Tensor bias_wrong = int32s({1, 2});
  const Tensor bias_float = Tensor::from_vector<float>({1}, {1});
  const auto code = [](const Node& n, std::vector<const Tensor*> in) { return kernel_test::error_of(n, 21, in); };
  EXPECT_EQ(code(ptqc_node("QConv", 2), {&xf, &w}), ErrorCode::kInvalidModel);              // float input
  EXPECT_EQ(code(ptqc_node("QConv", 3), {&x, &w, &bias_wrong}), ErrorCode::kInvalidModel);  // bias size
  EXPECT_EQ(code(ptqc_node("QConv", 3), {&x, &w, &bias_float}), ErrorCode::kInvalidModel);  // bias type
  EXPECT_EQ(code(ptqc_node("QConv", 2, {{"x_offset", int_attr(128)}}), {&x, &w}), ErrorCode::kInvalidModel);
  EXPECT_EQ(code(ptqc_node("QConv", 2, {{"group", int_attr(2)}}), {&x, &w2}), ErrorCode::kInvalidModel);
  EXPECT_EQ(code(ptqc_node("QConv", 2, {{"auto_pad", kernel_test::string_attr("SAME_UPPER")}}), {&x, &w}),
            ErrorCode::kInvalidModel);
  EXPECT_EQ(code(ptqc_node("QConv", 2, {{"kernel_shape", ints_attr({3, 3})}}), {&x, &w}), ErrorCode::kInvalidModel);
  EXPECT_EQ(code(ptqc_node("QConv", 2, {{"pads", ints_attr({1, 1})}}), {&x, &w}), ErrorCode::kInvalidModel);
  try {
    evaluate_node(ptqc_node("QConv", 2, {{"x_offset", int_attr(-129)}}), 21, {&x, &w});
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("x_offset must be in [-128, 127]"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ptqc
