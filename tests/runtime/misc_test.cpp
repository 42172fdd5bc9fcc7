#include <gtest/gtest.h>

#include "runtime/kernels/kernel_util.h"
#include "support/kernel_test_util.h"

namespace ptqc {
namespace {

using namespace kernel_test;

Node einsum_node(const std::string& equation, size_t inputs) {
  Node node = make_node("Einsum", inputs);
  node.attrs["equation"] = string_attr(equation);
  return node;
}

const Tensor kA = floats({1, 2, 3, 4, 5, 6}, {2, 3});      // 2x3
const Tensor kB = floats({1, 0, 0, 1, 1, 1}, {3, 2});      // 3x2

TEST(Einsum, MultipliesMatrices) {
  // [[1,2,3],[4,5,6]] · [[1,0],[0,1],[1,1]] = [[4,5],[10,11]]
  expect_floats(evaluate_node(einsum_node("ij,jk->ik", 2), 12, {&kA, &kB})[0], {2, 2}, {4, 5, 10, 11});
}

TEST(Einsum, ImplicitOutputSortsTheSingleLabels) {
  // "kj,ji": labels used once are i and k, so the output is "ik" = (B^T A^T)... = (A B)^T.
  expect_floats(evaluate_node(einsum_node("kj, ji", 2), 12, {&kA, &kB})[0], {2, 2}, {4, 10, 5, 11});
}

TEST(Einsum, TransposesSumsAndTakesDiagonals) {
  expect_floats(evaluate_node(einsum_node("ij->ji", 1), 12, {&kA})[0], {3, 2}, {1, 4, 2, 5, 3, 6});
  expect_floats(evaluate_node(einsum_node("ij->i", 1), 12, {&kA})[0], {2}, {6, 15});
  const Tensor square = floats({1, 2, 3, 4}, {2, 2});
  expect_floats(evaluate_node(einsum_node("ii", 1), 12, {&square})[0], {}, {5});
  expect_floats(evaluate_node(einsum_node("ii->i", 1), 12, {&square})[0], {2}, {1, 4});
}

TEST(Einsum, BroadcastsEllipsisDims) {
  // Batch of two 1x2 rows times one shared 2x1 column.
  const Tensor rows = floats({1, 2, 3, 4}, {2, 1, 2});
  const Tensor column = floats({10, 1}, {2, 1});
  expect_floats(evaluate_node(einsum_node("...ij,jk->...ik", 2), 12, {&rows, &column})[0], {2, 1, 1}, {12, 34});
}

TEST(Einsum, MismatchedOperandsFail) {
  EXPECT_EQ(error_of(einsum_node("ij,jk->ik", 1), 12, {&kA}), ErrorCode::kInvalidModel);
  EXPECT_EQ(error_of(einsum_node("ij,jk->ik", 2), 12, {&kA, &kA}), ErrorCode::kInvalidModel);
  EXPECT_EQ(error_of(einsum_node("ijk->i", 1), 12, {&kA}), ErrorCode::kInvalidModel);
}

TEST(Shrink, ShrinksTowardsZero) {
  Node node = make_node("Shrink", 1);
  node.attrs["lambd"] = float_attr(1.0f);
  node.attrs["bias"] = float_attr(0.5f);
  const Tensor x = floats({-2, -1, 0, 1, 3}, {5});
  expect_floats(evaluate_node(node, 9, {&x})[0], {5}, {-1.5f, 0, 0, 0, 2.5f});
}

TEST(Det, ComputesBatchedDeterminants) {
  // det [[1,2],[3,4]] = -2; det [[0,1],[1,0]] = -1 (needs a pivot swap).
  const Tensor x = floats({1, 2, 3, 4, 0, 1, 1, 0}, {2, 2, 2});
  expect_floats(evaluate_node(make_node("Det", 1), 11, {&x})[0], {2}, {-2, -1});
  const Tensor m = floats({2, 0, 1, 1, 3, 2, 1, 1, 1}, {3, 3});
  // 2 (3 - 2) - 0 + 1 (1 - 3) = 0
  expect_floats(evaluate_node(make_node("Det", 1), 11, {&m})[0], {}, {0});
}

TEST(Det, NonSquareInputFails) {
  EXPECT_EQ(error_of(make_node("Det", 1), 11, {&kA}), ErrorCode::kInvalidModel);
}

}  // namespace
}  // namespace ptqc

namespace {

TEST(ParallelFor, AWorkerExceptionReachesTheCallerInsteadOfTerminating) {
  // Chunks 1 and 2 of 4 throw; the lowest chunk's error is reported, whatever the timing.
  for (int repeat = 0; repeat < 20; ++repeat) {
    try {
      ptqc::parallel_for(4, 400, [](int64_t begin, int64_t) {
        if (begin == 100 || begin == 200) throw ptqc::Error(ptqc::ErrorCode::kInvalidModel, "chunk " + std::to_string(begin));
      });
      FAIL() << "no exception";
    } catch (const ptqc::Error& e) {
      EXPECT_EQ(e.message(), "chunk 100");
    }
  }
}

}  // namespace
