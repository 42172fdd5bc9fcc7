// Unit tests of the indexing kernels (src/runtime/kernels/index.cpp).

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "ptqc/error.h"
#include "ptqc/executor.h"
#include "support/kernel_test_util.h"

namespace ptqc {
namespace {

/// kernel_test::make_node with the given int and string attributes.
Node index_node(const std::string& op, size_t inputs, std::map<std::string, int64_t> ints = {},
                std::map<std::string, std::string> strings = {}) {
  Node node = kernel_test::make_node(op, inputs);
  for (const auto& [key, v] : ints) node.attrs[key] = kernel_test::int_attr(v);
  for (const auto& [key, v] : strings) node.attrs[key] = kernel_test::string_attr(v);
  return node;
}

template <class T>
Tensor vec(std::vector<T> v, Shape shape = {}) {
  if (shape.empty()) shape = {static_cast<int64_t>(v.size())};
  return Tensor::from_vector(v, shape);
}

template <class T>
std::vector<T> run(const Node& node, int64_t opset, const std::vector<const Tensor*>& inputs, Shape* shape = nullptr) {
  const Tensor y = evaluate_node(node, opset, inputs)[0];
  if (shape) *shape = y.shape();
  auto s = y.values<T>();
  return {s.begin(), s.end()};
}

/// Runs \p node and expects an E19020 error whose message contains \p text.
void expect_invalid(const Node& node, int64_t opset, const std::vector<const Tensor*>& inputs,
                    const std::string& text) {
  try {
    evaluate_node(node, opset, inputs);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidModel) << e.what();
    EXPECT_NE(e.message().find(text), std::string::npos) << e.what();
  }
}

const Tensor kRow = vec<int32_t>({0, 1, 2, 3, 4, 5});

TEST(SliceTest, NegativeStepsAndClampedBounds) {
  const Tensor starts = vec<int64_t>({-1}), ends = vec<int64_t>({std::numeric_limits<int64_t>::min()});
  const Tensor axes = vec<int64_t>({0}), steps = vec<int64_t>({-2});
  EXPECT_EQ(run<int32_t>(index_node("Slice", 5), 13, {&kRow, &starts, &ends, &axes, &steps}),
            (std::vector<int32_t>{5, 3, 1}));
  const Tensor far_start = vec<int64_t>({-100}), far_end = vec<int64_t>({100});
  EXPECT_EQ(run<int32_t>(index_node("Slice", 3), 13, {&kRow, &far_start, &far_end}),
            (std::vector<int32_t>{0, 1, 2, 3, 4, 5}));
  const Tensor zero = vec<int64_t>({0});
  expect_invalid(index_node("Slice", 5), 13, {&kRow, &starts, &ends, &axes, &zero}, "step of axis 0 is 0");
}

TEST(SliceTest, OpsetOneAttributes) {
  Node node = index_node("Slice", 1);
  for (const auto& [key, v] : std::map<std::string, int64_t>{{"starts", 1}, {"ends", -1}, {"axes", -1}}) {
    node.attrs[key] = kernel_test::ints_attr({v});
  }
  const Tensor x = vec<int32_t>({0, 1, 2, 3, 4, 5}, {2, 3});
  Shape shape;
  EXPECT_EQ(run<int32_t>(node, 9, {&x}, &shape), (std::vector<int32_t>{1, 4}));
  EXPECT_EQ(shape, (Shape{2, 1}));
}

TEST(GatherTest, NegativeIndicesAndBoundsCheck) {
  const Tensor x = vec<float>({0, 1, 2, 3, 4, 5}, {3, 2});
  const Tensor idx = vec<int64_t>({-1, 0}, {1, 2});
  Shape shape;
  EXPECT_EQ(run<float>(index_node("Gather", 2), 13, {&x, &idx}, &shape), (std::vector<float>{4, 5, 0, 1}));
  EXPECT_EQ(shape, (Shape{1, 2, 2}));
  const Tensor cols = vec<int32_t>({1});
  EXPECT_EQ(run<float>(index_node("Gather", 2, {{"axis", 1}}), 13, {&x, &cols}), (std::vector<float>{1, 3, 5}));
  const Tensor bad = vec<int64_t>({3});
  expect_invalid(index_node("Gather", 2), 13, {&x, &bad}, "index 3 is out of range for a dim of size 3");
}

TEST(GatherElementsTest, IndexReplacesTheAxisCoordinate) {
  const Tensor x = vec<int8_t>({1, 2, 3, 4}, {2, 2});
  const Tensor idx = vec<int64_t>({0, 0, 1, -2}, {2, 2});
  EXPECT_EQ(run<int8_t>(index_node("GatherElements", 2, {{"axis", 1}}), 13, {&x, &idx}),
            (std::vector<int8_t>{1, 1, 4, 3}));
}

TEST(GatherNdTest, BatchDims) {
  // data [2, 2, 2]; with batch_dims 1 each batch picks one row by a 1-tuple.
  const Tensor x = vec<int64_t>({0, 1, 2, 3, 4, 5, 6, 7}, {2, 2, 2});
  const Tensor idx = vec<int64_t>({1, 0}, {2, 1});
  Shape shape;
  EXPECT_EQ(run<int64_t>(index_node("GatherND", 2, {{"batch_dims", 1}}), 13, {&x, &idx}, &shape),
            (std::vector<int64_t>{2, 3, 4, 5}));
  EXPECT_EQ(shape, (Shape{2, 2}));
  const Tensor too_long = vec<int64_t>({0, 0, 0, 0}, {1, 4});
  expect_invalid(index_node("GatherND", 2), 13, {&x, &too_long}, "index tuples of length 4");
}

TEST(ScatterNdTest, ReplaceAndAdd) {
  const Tensor x = vec<float>({1, 1, 1, 1});
  const Tensor idx = vec<int64_t>({2, 2}, {2, 1});
  const Tensor upd = vec<float>({5, 7});
  EXPECT_EQ(run<float>(index_node("ScatterND", 3), 16, {&x, &idx, &upd}), (std::vector<float>{1, 1, 7, 1}));
  EXPECT_EQ(run<float>(index_node("ScatterND", 3, {}, {{"reduction", "add"}}), 16, {&x, &idx, &upd}),
            (std::vector<float>{1, 1, 13, 1}));
  const Tensor short_upd = vec<float>({5});
  expect_invalid(index_node("ScatterND", 3), 16, {&x, &idx, &short_upd}, "updates have shape 1, expected 2");
}

TEST(ScatterElementsTest, AxisAndReduction) {
  const Tensor x = vec<int32_t>({1, 2, 3, 4}, {2, 2});
  const Tensor idx = vec<int64_t>({1, -1}, {1, 2});
  const Tensor upd = vec<int32_t>({10, 20}, {1, 2});
  EXPECT_EQ(run<int32_t>(index_node("ScatterElements", 3), 16, {&x, &idx, &upd}), (std::vector<int32_t>{1, 2, 10, 20}));
  EXPECT_EQ(run<int32_t>(index_node("ScatterElements", 3, {{"axis", 1}}, {{"reduction", "mul"}}), 16, {&x, &idx, &upd}),
            (std::vector<int32_t>{1, 400, 3, 4}));
  const Tensor bad = vec<int64_t>({2, 0}, {1, 2});
  expect_invalid(index_node("ScatterElements", 3), 16, {&x, &bad, &upd}, "index 2 is out of range");
}

TEST(OneHotTest, AxisNegativeAndOutOfRangeIndices) {
  const Tensor idx = vec<int64_t>({1, -1, 5});
  const Tensor depth = Tensor::scalar<float>(3.0f);
  const Tensor values = vec<int32_t>({0, 9});
  Shape shape;
  // axis 0: output [depth, 3]; index 5 is out of range and stays all off.
  EXPECT_EQ(run<int32_t>(index_node("OneHot", 3, {{"axis", 0}}), 11, {&idx, &depth, &values}, &shape),
            (std::vector<int32_t>{0, 0, 0, 9, 0, 0, 0, 9, 0}));
  EXPECT_EQ(shape, (Shape{3, 3}));
  const Tensor one_value = vec<int32_t>({9});
  expect_invalid(index_node("OneHot", 3), 11, {&idx, &depth, &one_value}, "values must hold");
}

TEST(NonZeroTest, CoordinatesInRowMajorOrderAndNegativeZeroIsZero) {
  const Tensor x = vec<float>({0.0f, -0.0f, 2.0f, -1.0f}, {2, 2});
  Shape shape;
  EXPECT_EQ(run<int64_t>(index_node("NonZero", 1), 13, {&x}, &shape), (std::vector<int64_t>{1, 1, 0, 1}));
  EXPECT_EQ(shape, (Shape{2, 2}));
}

TEST(TriluTest, UpperAndLowerWithDiagonalOffset) {
  const Tensor x = vec<int32_t>({1, 2, 3, 4, 5, 6, 7, 8, 9}, {3, 3});
  const Tensor k = Tensor::scalar<int64_t>(1);
  EXPECT_EQ(run<int32_t>(index_node("Trilu", 2), 14, {&x, &k}), (std::vector<int32_t>{0, 2, 3, 0, 0, 6, 0, 0, 0}));
  EXPECT_EQ(run<int32_t>(index_node("Trilu", 1, {{"upper", 0}}), 14, {&x}),
            (std::vector<int32_t>{1, 0, 0, 4, 5, 0, 7, 8, 9}));
  expect_invalid(index_node("Trilu", 1), 14, {&kRow}, "rank >= 2");
}

TEST(CompressTest, WithAndWithoutAxis) {
  const Tensor x = vec<int32_t>({1, 2, 3, 4, 5, 6}, {3, 2});
  const Tensor cond = vec<bool>({false, true});
  EXPECT_EQ(run<int32_t>(index_node("Compress", 2, {{"axis", 0}}), 11, {&x, &cond}), (std::vector<int32_t>{3, 4}));
  EXPECT_EQ(run<int32_t>(index_node("Compress", 2), 11, {&x, &cond}), (std::vector<int32_t>{2}));
  const Tensor long_cond = vec<bool>({false, false, true});
  expect_invalid(index_node("Compress", 2, {{"axis", 1}}), 11, {&x, &long_cond}, "selects entry 2");
}

TEST(EyeLikeTest, OnesOnTheShiftedDiagonal) {
  const Tensor x(DataType::kInt32, {2, 3});
  const Node node = index_node("EyeLike", 1, {{"k", 1}, {"dtype", static_cast<int64_t>(DataType::kFloat32)}});
  EXPECT_EQ(run<float>(node, 9, {&x}), (std::vector<float>{0, 1, 0, 0, 0, 1}));
}

}  // namespace
}  // namespace ptqc
