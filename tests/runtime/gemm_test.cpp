// Unit tests of the GEMM core (src/runtime/kernels/gemm_util.cpp) and of Gemm/MatMul
// (src/runtime/kernels/gemm.cpp).

#include <gtest/gtest.h>

#include <random>

#include "ptqc/error.h"
#include "ptqc/executor.h"
#include "runtime/kernels/gemm_util.h"
#include "support/kernel_test_util.h"

namespace ptqc {
namespace {

using kernel_test::error_of;
using kernel_test::float_attr;
using kernel_test::int_attr;
using kernel_test::make_node;
using kernel_test::run_node;
using kernel_test::values_of;

/// make_node with attributes.
Node gemm_node(const std::string& op, size_t inputs, std::map<std::string, Attribute> attrs = {}) {
  Node node = make_node(op, inputs);
  node.attrs = std::move(attrs);
  return node;
}

std::vector<float> random_values(size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = dist(gen);
  return v;
}

/// C = alpha·op(A)·op(B) (+ C), the textbook triple loop in double.
void naive_gemm(int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda, bool ta, const float* b,
                int64_t ldb, bool tb, float* c, int64_t ldc, bool accumulate) {
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double sum = 0;
      for (int64_t p = 0; p < k; ++p) sum += double(ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]);
      c[i * ldc + j] = static_cast<float>(alpha * sum + (accumulate ? c[i * ldc + j] : 0.0));
    }
  }
}

struct GemmCase {
  int64_t m, n, k;
  bool ta, tb, accumulate;
};

TEST(GemmUtilTest, MatchesNaiveProductForEveryLayout) {
  const GemmCase cases[] = {{3, 4, 5, false, false, false}, {7, 1, 9, true, false, true},   {1, 13, 6, false, true, false},
                            {33, 17, 2, true, true, true},  {450, 40, 70, false, true, false}, {20, 800, 35, true, false, true}};
  for (const GemmCase& gc : cases) {
    const int64_t lda = (gc.ta ? gc.m : gc.k) + 2, ldb = (gc.tb ? gc.k : gc.n) + 1, ldc = gc.n + 3;
    const std::vector<float> a = random_values(static_cast<size_t>((gc.ta ? gc.k : gc.m) * lda), 1);
    const std::vector<float> b = random_values(static_cast<size_t>((gc.tb ? gc.n : gc.k) * ldb), 2);
    std::vector<float> c = random_values(static_cast<size_t>(gc.m * ldc), 3), expected = c;
    gemm<float>(gc.m, gc.n, gc.k, 0.5f, {a.data(), lda, gc.ta}, {b.data(), ldb, gc.tb}, c.data(), ldc, gc.accumulate, 2);
    naive_gemm(gc.m, gc.n, gc.k, 0.5f, a.data(), lda, gc.ta, b.data(), ldb, gc.tb, expected.data(), ldc, gc.accumulate);
    for (size_t i = 0; i < c.size(); ++i) ASSERT_NEAR(c[i], expected[i], 1e-4) << gc.m << "x" << gc.n << "x" << gc.k;
  }
}

TEST(GemmUtilTest, ResultDoesNotDependOnThreadCount) {
  for (const GemmCase& gc : {GemmCase{900, 70, 130, false, false, false}, GemmCase{60, 1000, 300, false, true, false}}) {
    const std::vector<float> a = random_values(static_cast<size_t>(gc.m * gc.k), 4);
    const std::vector<float> b = random_values(static_cast<size_t>(gc.k * gc.n), 5);
    const int64_t ldb = gc.tb ? gc.k : gc.n;
    std::vector<float> one(static_cast<size_t>(gc.m * gc.n)), three(one.size());
    gemm<float>(gc.m, gc.n, gc.k, 1.0f, {a.data(), gc.k, false}, {b.data(), ldb, gc.tb}, one.data(), gc.n, false, 1);
    gemm<float>(gc.m, gc.n, gc.k, 1.0f, {a.data(), gc.k, false}, {b.data(), ldb, gc.tb}, three.data(), gc.n, false, 3);
    EXPECT_EQ(one, three);
  }
}

TEST(GemmUtilTest, EmptyDepthGivesZeroOrKeepsC) {
  std::vector<float> c = {1, 2, 3, 4};
  gemm<float>(2, 2, 0, 1.0f, {nullptr, 0, false}, {nullptr, 2, false}, c.data(), 2, true, 1);
  EXPECT_EQ(c, (std::vector<float>{1, 2, 3, 4}));
  gemm<float>(2, 2, 0, 1.0f, {nullptr, 0, false}, {nullptr, 2, false}, c.data(), 2, false, 1);
  EXPECT_EQ(c, (std::vector<float>{0, 0, 0, 0}));
}

TEST(GemmOpTest, AppliesAlphaBetaTransposesAndBroadcastBias) {
  // op(A) = Aᵀ = [[1, 3], [2, 4]], op(B) = Bᵀ = [[1, 0], [1, 1]], C = row [10, 20].
  const Tensor a = Tensor::from_vector<float>({1, 2, 3, 4}, {2, 2});
  const Tensor b = Tensor::from_vector<float>({1, 1, 0, 1}, {2, 2});
  const Tensor c = Tensor::from_vector<float>({10, 20}, {2});
  const Node node = gemm_node("Gemm", 3, {{"transA", int_attr(1)}, {"transB", int_attr(1)},
                                          {"alpha", float_attr(2.0f)}, {"beta", float_attr(0.5f)}});
  // op(A)·op(B) = [[4, 3], [6, 4]]; 2·that + 0.5·C = [[13, 16], [17, 18]].
  kernel_test::expect_floats(run_node(node, 13, {&a, &b, &c}), {2, 2}, {13, 16, 17, 18});
}

TEST(GemmOpTest, WorksWithoutBiasAndWithColumnBias) {
  const Tensor a = Tensor::from_vector<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor b = Tensor::from_vector<float>({1, 0, 0, 1, 1, 1}, {3, 2});
  EXPECT_EQ(values_of<float>(run_node(gemm_node("Gemm", 2), 13, {&a, &b})), (std::vector<float>{4, 5, 10, 11}));
  const Tensor column = Tensor::from_vector<float>({100, 200}, {2, 1});
  EXPECT_EQ(values_of<float>(run_node(gemm_node("Gemm", 3), 13, {&a, &b, &column})),
            (std::vector<float>{104, 105, 210, 211}));
}

TEST(GemmOpTest, RejectsMismatchedShapes) {
  const Tensor a = Tensor::from_vector<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor b = Tensor::from_vector<float>({1, 2, 3, 4}, {2, 2});
  EXPECT_EQ(error_of(gemm_node("Gemm", 2), 13, {&a, &b}), ErrorCode::kInvalidModel);
  const Tensor b_ok(DataType::kFloat32, {3, 2});
  const Tensor bad_c(DataType::kFloat32, {3});
  EXPECT_EQ(error_of(gemm_node("Gemm", 3), 13, {&a, &b_ok, &bad_c}), ErrorCode::kInvalidModel);
}

/// MatMul of two tensors by the NumPy definition, in double.
std::vector<float> naive_batched_matmul(const Tensor& a, const Tensor& b, const Shape& batch) {
  const int64_t m = a.dim(a.rank() - 2), k = a.dim(a.rank() - 1), n = b.dim(b.rank() - 1);
  const int64_t count = shape_numel(batch);
  std::vector<float> y;
  for (int64_t i = 0; i < count; ++i) {
    // Index of batch entry i in each operand, broadcasting size-1 dims.
    auto offset = [&](const Tensor& t) {
      int64_t rest = i, off = 0, stride = t.dim(t.rank() - 2) * t.dim(t.rank() - 1);
      for (int64_t d = static_cast<int64_t>(batch.size()) - 1; d >= 0; --d) {
        const int64_t idx = rest % batch[d];
        rest /= batch[d];
        const int64_t td = d - static_cast<int64_t>(batch.size()) + t.rank() - 2;
        if (td < 0) continue;
        if (t.dim(td) != 1) off += idx * stride;
        stride *= t.dim(td);
      }
      return off;
    };
    const float* av = a.data<float>() + offset(a);
    const float* bv = b.data<float>() + offset(b);
    for (int64_t r = 0; r < m; ++r) {
      for (int64_t c = 0; c < n; ++c) {
        double sum = 0;
        for (int64_t p = 0; p < k; ++p) sum += double(av[r * k + p]) * bv[p * n + c];
        y.push_back(static_cast<float>(sum));
      }
    }
  }
  return y;
}

Tensor random_tensor(const Shape& shape, uint32_t seed) {
  const std::vector<float> v = random_values(static_cast<size_t>(shape_numel(shape)), seed);
  Tensor t(DataType::kFloat32, shape);
  std::copy(v.begin(), v.end(), t.data<float>());
  return t;
}

TEST(MatMulTest, BroadcastsBatchDims) {
  struct Case {
    Shape a, b, batch, y;
  };
  const Case cases[] = {{{2, 1, 4, 3}, {5, 3, 6}, {2, 5}, {2, 5, 4, 6}},
                        {{3, 7, 8}, {8, 5}, {3}, {3, 7, 5}},
                        {{2, 9, 4}, {2, 4, 3}, {2}, {2, 9, 3}},
                        {{1, 4, 3}, {6, 3, 2}, {6}, {6, 4, 2}}};
  for (const Case& c : cases) {
    const Tensor a = random_tensor(c.a, 7), b = random_tensor(c.b, 8);
    for (int threads : {1, 3}) {
      kernel_test::expect_floats(run_node(gemm_node("MatMul", 2), 13, {&a, &b}, threads), c.y,
                                 naive_batched_matmul(a, b, c.batch));
    }
  }
}

TEST(MatMulTest, PromotesOneDimensionalOperands) {
  const Tensor m = Tensor::from_vector<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor v3 = Tensor::from_vector<float>({1, 0, -1}, {3});
  const Tensor v2 = Tensor::from_vector<float>({1, 1}, {2});
  kernel_test::expect_floats(run_node(gemm_node("MatMul", 2), 13, {&m, &v3}), {2}, {-2, -2});
  kernel_test::expect_floats(run_node(gemm_node("MatMul", 2), 13, {&v2, &m}), {3}, {5, 7, 9});
  kernel_test::expect_floats(run_node(gemm_node("MatMul", 2), 13, {&v3, &v3}), {}, {2});
}

TEST(MatMulTest, MultipliesIntegers) {
  const Tensor a = Tensor::from_vector<int64_t>({1, 2, 3, 4}, {2, 2});
  const Tensor b = Tensor::from_vector<int64_t>({5, 6, 7, 8}, {2, 2});
  EXPECT_EQ(values_of<int64_t>(run_node(gemm_node("MatMul", 2), 13, {&a, &b})), (std::vector<int64_t>{19, 22, 43, 50}));
}

TEST(MatMulTest, RejectsMismatchedInnerDims) {
  const Tensor a(DataType::kFloat32, {2, 3}), b(DataType::kFloat32, {4, 2});
  EXPECT_EQ(error_of(gemm_node("MatMul", 2), 13, {&a, &b}), ErrorCode::kInvalidModel);
  const Tensor u(DataType::kUInt32, {2, 2});
  EXPECT_EQ(error_of(gemm_node("MatMul", 2), 13, {&u, &u}), ErrorCode::kUnsupportedOp);
}

}  // namespace
}  // namespace ptqc
