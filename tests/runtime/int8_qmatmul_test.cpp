// Unit tests of QMatMul and QBatchMatMul (src/runtime/kernels/int8/qmatmul*.cpp) and of the INT8 GEMM's packing
// (qgemm.cpp): hand-computed cases, the fast paths against the reference, malformed nodes.

#include <gtest/gtest.h>

#include <random>
#include <tuple>

#include "int8_test_util.h"
#include "ptqc/error.h"
#include "ptqc/executor.h"
#include "runtime/kernels/int8/qgemm.h"
#include "runtime/kernels/int8/qmatmul.h"

namespace ptqc {
namespace {

using int8_test::ptqc_node;
using kernel_test::int_attr;
using kernel_test::values_of;

TEST(QMatMulTest, OffsetsAndBiasByHand) {
  // x - x_offset = [3 4 5; -126 2 129]; acc = bias + (x - x_offset) · w.
  const std::vector<int8_t> x_values{1, 2, 3, -128, 0, 127};
  const Tensor w = Tensor::from_vector<int8_t>({1, -1, 2, 0, 127, -128}, {3, 2});
  const Tensor b = Tensor::from_vector<int32_t>({5, -5}, {2});
  const Node node = ptqc_node("QMatMul", 3, {{"x_offset", int_attr(-2)}});
  const std::vector<int32_t> expected{651, -648, 16266, -16391};
  const Tensor x = Tensor::from_vector(x_values, {2, 3});
  const Tensor y = kernel_test::run_node(node, 21, {&x, &w, &b});
  EXPECT_EQ(y.shape(), (Shape{2, 2}));
  EXPECT_EQ(values_of<int32_t>(y), expected);
  // Leading dims of x are batch dims.
  const Tensor x3 = Tensor::from_vector(x_values, {2, 1, 3});
  const Tensor y3 = kernel_test::run_node(node, 21, {&x3, &w, &b}, 2);
  EXPECT_EQ(y3.shape(), (Shape{2, 1, 2}));
  EXPECT_EQ(values_of<int32_t>(y3), expected);
}

TEST(QMatMulTest, FastPathsMatchTheReference) {
  // x shape, N: odd depths, N not a multiple of 16, one row, many rows, rank 1 to 4, empty depth.
  const std::vector<std::pair<Shape, int64_t>> cases = {
      {{1, 1}, 1},        {{3, 7}, 5}, {{17, 33}, 31},    {{64, 64}, 64}, {{5, 300}, 100}, {{100, 13}, 48},
      {{2, 3, 5, 9}, 17}, {{23}, 40},  {{1, 1000}, 1000}, {{4, 0}, 3},    {{0, 8}, 5},     {{9, 2, 130}, 33},
  };
  std::mt19937 rng(11);
  int case_index = 0;
  for (const auto& [x_shape, n] : cases) {
    const int32_t x_offset = int8_test::kOffsets[case_index++ % 4];
    const Tensor x = int8_test::random_int8(rng, x_shape);
    const Tensor w = int8_test::random_int8(rng, {x_shape.back(), n});
    const Tensor b = int8_test::random_int32(rng, {n}, 1 << 24);
    const Node node = ptqc_node("QMatMul", 3, {{"x_offset", int_attr(x_offset)}});
    const QMatMulProblem p = int8_test::read_node(node, {&x, &w, &b}, qmatmul_problem);
    std::vector<int32_t> expected(static_cast<size_t>(p.rows * p.cols));
    qmatmul_reference(p, expected.data());
    int8_test::expect_fast_matches<int32_t>(
        expected, [&](const Int8Run& run, int32_t* y) { qmatmul_fast(p, pack_qmatmul_weights(p, run.threads), run, ProductOutput{y}); },
        "QMatMul case " + std::to_string(case_index));
  }
}

TEST(QMatMulTest, WeightOffsetMatchesTheReference) {
  // The QBatchMatMul form: both operands carry an offset (row corrections in the fast path).
  std::mt19937 rng(12);
  const std::vector<std::tuple<int64_t, int64_t, int64_t>> cases = {{1, 1, 1}, {7, 13, 9}, {33, 64, 17}, {100, 5, 40}, {3, 0, 4}};
  int case_index = 0;
  for (const auto& [rows, depth, cols] : cases) {
    const Tensor x = int8_test::random_int8(rng, {rows, depth});
    const Tensor w = int8_test::random_int8(rng, {depth, cols});
    QMatMulProblem p;
    p.rows = rows;
    p.depth = depth;
    p.cols = cols;
    p.x_offset = int8_test::kOffsets[case_index % 4];
    p.w_offset = int8_test::kOffsets[(case_index + 1) % 4];
    p.x = x.data<int8_t>();
    p.w = w.data<int8_t>();
    ++case_index;
    std::vector<int32_t> expected(static_cast<size_t>(rows * cols));
    qmatmul_reference(p, expected.data());
    int8_test::expect_fast_matches<int32_t>(
        expected, [&](const Int8Run& run, int32_t* y) { qmatmul_fast(p, pack_qmatmul_weights(p, run.threads), run, ProductOutput{y}); },
        "QMatMul with w_offset, case " + std::to_string(case_index));
  }
}

TEST(QBatchMatMulTest, BothOffsetsByHand) {
  // Two 1 × 2 by 2 × 1 products: a - x_offset = [[2 3], [-1 0]], b - b_offset = [[4 -2]]ᵀ shared.
  const Tensor a = Tensor::from_vector<int8_t>({1, 2, -2, -1}, {2, 1, 2});
  const Tensor b = Tensor::from_vector<int8_t>({5, -1}, {2, 1});
  const Node node = ptqc_node("QBatchMatMul", 2, {{"x_offset", int_attr(-1)}, {"b_offset", int_attr(1)}});
  const Tensor y = kernel_test::run_node(node, 21, {&a, &b});
  EXPECT_EQ(y.shape(), (Shape{2, 1, 1}));
  EXPECT_EQ(values_of<int32_t>(y), (std::vector<int32_t>{2 * 4 + 3 * -2, -1 * 4 + 0 * -2}));
}

TEST(QBatchMatMulTest, FastPathsMatchTheReferenceWithBroadcastBatches) {
  // a shape, b shape: heads of attention, a shared b, b broadcast over a's batch, 1-D operands.
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{2, 4, 32, 8}, {2, 4, 8, 32}}, {{3, 5, 7}, {7, 9}}, {{1, 17, 33}, {4, 33, 20}},
      {{2, 1, 6, 5}, {3, 5, 2}},      {{9}, {9, 4}},       {{6, 9}, {9}},
  };
  std::mt19937 rng(13);
  int case_index = 0;
  for (const auto& [a_shape, b_shape] : cases) {
    const Tensor a = int8_test::random_int8(rng, a_shape);
    const Tensor b = int8_test::random_int8(rng, b_shape);
    const Node node = ptqc_node("QBatchMatMul", 2,
                                {{"x_offset", int_attr(int8_test::kOffsets[case_index % 4])},
                                 {"b_offset", int_attr(int8_test::kOffsets[(case_index + 2) % 4])}});
    ++case_index;
    const QBatchMatMulProblem p = int8_test::read_node(node, {&a, &b}, qbatch_matmul_problem);
    std::vector<int32_t> expected(static_cast<size_t>(shape_numel(p.layout.output)));
    qbatch_matmul_reference(p, expected.data());
    int8_test::expect_fast_matches<int32_t>(
        expected, [&](const Int8Run& run, int32_t* y) { qbatch_matmul_fast(p, run, y); },
        "QBatchMatMul case " + std::to_string(case_index));
    // The node's output shape is NumPy matmul's.
    EXPECT_EQ(kernel_test::run_node(node, 21, {&a, &b}).shape(), p.layout.output);
  }
}

TEST(QBatchMatMulTest, RejectsMalformedNodes) {
  const Tensor a = Tensor::from_vector<int8_t>({1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor b = Tensor::from_vector<int8_t>({1, 2, 3}, {3, 1});
  const Tensor b_short = Tensor::from_vector<int8_t>({1, 2}, {2, 1});
  const Tensor b_float = Tensor::from_vector<float>({1, 2, 3}, {3, 1});
  const Tensor scalar = Tensor::scalar<int8_t>(1);
  const Node node = ptqc_node("QBatchMatMul", 2);
  EXPECT_EQ(kernel_test::error_of(node, 21, {&a, &b_short}), ErrorCode::kInvalidModel);
  EXPECT_EQ(kernel_test::error_of(node, 21, {&a, &b_float}), ErrorCode::kInvalidModel);
  EXPECT_EQ(kernel_test::error_of(node, 21, {&scalar, &b}), ErrorCode::kInvalidModel);
  EXPECT_EQ(kernel_test::error_of(ptqc_node("QBatchMatMul", 2, {{"b_offset", int_attr(-129)}}), 21, {&a, &b}),
            ErrorCode::kInvalidModel);
}

TEST(QGemmTest, PanelsHoldFourDepthsOfSixteenColumns) {
  // A 5 × 18 matrix with value 10·k + j (mod 128): two panels of two quads each.
  std::vector<int8_t> m(5 * 18);
  for (int k = 0; k < 5; ++k) {
    for (int j = 0; j < 18; ++j) m[static_cast<size_t>(k * 18 + j)] = static_cast<int8_t>((10 * k + j) % 128);
  }
  std::vector<uint8_t> packed(static_cast<size_t>(packed_panels_size(5, 18)), 0xee);
  ASSERT_EQ(packed.size(), 2u * 2 * 64);
  pack_panels(m.data(), 18, 5, 18, true, packed.data());
  const auto at = [&](int panel, int quad, int lane, int slot) {
    return packed[static_cast<size_t>(((panel * 2 + quad) * 16 + lane) * 4 + slot)];
  };
  EXPECT_EQ(at(0, 0, 3, 2), (10 * 2 + 3) + 128);  // k = 2, j = 3, shifted by 128
  EXPECT_EQ(at(0, 1, 15, 0), (10 * 4 + 15) + 128);
  EXPECT_EQ(at(1, 0, 1, 3), (10 * 3 + 17) + 128);
  EXPECT_EQ(at(0, 1, 0, 1), 0);  // k = 5 is padding
  EXPECT_EQ(at(1, 0, 2, 0), 0);  // j = 18 is padding
}

TEST(QGemmTest, RowTilesHoldOneWordPerRowAndQuad) {
  // A 3 × 6 matrix with value 10·i + k, packed in tiles of the kernel's height.
  std::vector<int8_t> m(3 * 6);
  for (int i = 0; i < 3; ++i) {
    for (int k = 0; k < 6; ++k) m[static_cast<size_t>(i * 6 + k)] = static_cast<int8_t>(10 * i + k);
  }
  for (Int8Isa isa : runnable_int8_isas()) {
    const GemmKernel& kernel = gemm_kernel(isa);
    const int64_t height = kernel.rows;
    std::vector<uint8_t> packed(static_cast<size_t>(packed_rows_size(kernel, 3, 6)), 0xee);
    ASSERT_EQ(static_cast<int64_t>(packed.size()), (3 + height - 1) / height * 2 * height * 4);
    pack_rows(kernel, m.data(), 6, 3, 6, false, packed.data());
    const auto at = [&](int64_t i, int64_t k) {
      return packed[static_cast<size_t>(i / height * 2 * height * 4 + (k / 4 * height + i % height) * 4 + k % 4)];
    };
    EXPECT_EQ(at(2, 5), 25) << int8_isa_name(isa);
    EXPECT_EQ(at(1, 3), 13) << int8_isa_name(isa);
    EXPECT_EQ(at(0, 6), 0) << int8_isa_name(isa);                  // k = 6 is padding
    if (height > 3) {
      EXPECT_EQ(at(3, 0), 0) << int8_isa_name(isa);  // row 3 is padding
    }
  }
}

TEST(QMatMulTest, RejectsMalformedNodes) {
  const Tensor x = Tensor::from_vector<int8_t>({1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor w = Tensor::from_vector<int8_t>({1, 2, 3}, {3, 1});
  const Tensor w_short = Tensor::from_vector<int8_t>({1, 2}, {2, 1});
  const Tensor w_rank3 = Tensor::from_vector<int8_t>({1, 2, 3}, {3, 1, 1});
  const Tensor w_int32 = Tensor::from_vector<int32_t>({1, 2, 3}, {3, 1});
  const Tensor bias = Tensor::from_vector<int32_t>({1, 2}, {2});
  const Tensor scalar = Tensor::scalar<int8_t>(1);
  const Node node = ptqc_node("QMatMul", 2);
  EXPECT_EQ(kernel_test::error_of(node, 21, {&x, &w_short}), ErrorCode::kInvalidModel);
  EXPECT_EQ(kernel_test::error_of(node, 21, {&x, &w_rank3}), ErrorCode::kInvalidModel);
  EXPECT_EQ(kernel_test::error_of(node, 21, {&x, &w_int32}), ErrorCode::kInvalidModel);
  EXPECT_EQ(kernel_test::error_of(node, 21, {&scalar, &w}), ErrorCode::kInvalidModel);
  EXPECT_EQ(kernel_test::error_of(ptqc_node("QMatMul", 3), 21, {&x, &w, &bias}), ErrorCode::kInvalidModel);
  EXPECT_EQ(kernel_test::error_of(ptqc_node("QMatMul", 2, {{"x_offset", int_attr(300)}}), 21, {&x, &w}),
            ErrorCode::kInvalidModel);
}

}  // namespace
}  // namespace ptqc
