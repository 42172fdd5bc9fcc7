// Unit tests of the shape and layout kernels (src/runtime/kernels/shape.cpp).

#include <gtest/gtest.h>

#include <cstring>
#include <numeric>

#include "ptqc/error.h"
#include "ptqc/executor.h"
#include "support/kernel_test_util.h"

namespace ptqc {
namespace {

using kernel_test::int_attr;
using kernel_test::ints_attr;
using kernel_test::string_attr;

/// kernel_test::make_node with attributes.
Node make_node(const std::string& op, size_t inputs, size_t outputs, std::map<std::string, Attribute> attrs = {}) {
  Node node = kernel_test::make_node(op, inputs, outputs);
  node.attrs = std::move(attrs);
  return node;
}

/// A float32 tensor of \p shape holding 0, 1, 2, ...
Tensor iota_f32(Shape shape) {
  std::vector<float> v(static_cast<size_t>(shape_numel(shape)));
  std::iota(v.begin(), v.end(), 0.0f);
  return Tensor::from_vector(v, std::move(shape));
}

template <class T>
std::vector<T> vals(const Tensor& t) {
  auto s = t.values<T>();
  return {s.begin(), s.end()};
}

/// Runs \p node and expects an error with \p code whose message contains \p text.
void expect_error(const Node& node, int64_t opset, const std::vector<const Tensor*>& inputs, ErrorCode code,
                  const std::string& text) {
  try {
    evaluate_node(node, opset, inputs);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_NE(e.message().find(text), std::string::npos) << e.what();
  }
}

TEST(ReshapeTest, CopiesZeroAndInfersMinusOneAsAView) {
  const Tensor x = iota_f32({2, 3, 4});
  const Tensor shape = kernel_test::int64s({0, -1, 2});
  const auto out = evaluate_node(make_node("Reshape", 2, 1), 14, {&x, &shape});
  EXPECT_EQ(out[0].shape(), (Shape{2, 6, 2}));
  EXPECT_TRUE(out[0].shares_buffer_with(x));
}

TEST(ReshapeTest, AllowZeroKeepsZeroDims) {
  const Tensor x(DataType::kInt8, {0, 3});
  const Tensor shape = kernel_test::int64s({3, 0});
  const auto out = evaluate_node(make_node("Reshape", 2, 1, {{"allowzero", int_attr(1)}}), 14, {&x, &shape});
  EXPECT_EQ(out[0].shape(), (Shape{3, 0}));
}

TEST(ReshapeTest, MismatchedElementCountFailsWithTheCounts) {
  const Tensor x = iota_f32({2, 3});
  const Tensor shape = kernel_test::int64s({4, 2});
  expect_error(make_node("Reshape", 2, 1), 14, {&x, &shape}, ErrorCode::kInvalidModel,
               "(6 elements) to 4x2 (8 elements)");
}

TEST(FlattenTest, SplitsTheDimsAtTheAxis) {
  const Tensor x = iota_f32({2, 3, 4, 5});
  EXPECT_EQ(evaluate_node(make_node("Flatten", 1, 1, {{"axis", int_attr(0)}}), 13, {&x})[0].shape(), (Shape{1, 120}));
  EXPECT_EQ(evaluate_node(make_node("Flatten", 1, 1, {{"axis", int_attr(-1)}}), 13, {&x})[0].shape(), (Shape{24, 5}));
  expect_error(make_node("Flatten", 1, 1, {{"axis", int_attr(5)}}), 13, {&x}, ErrorCode::kInvalidModel, "axis 5");
}

TEST(SqueezeTest, AxesAsInputOrAttributeOrAllOnes) {
  const Tensor x = iota_f32({1, 3, 1, 2});
  const Tensor axes = kernel_test::int64s({-2});
  EXPECT_EQ(evaluate_node(make_node("Squeeze", 2, 1), 13, {&x, &axes})[0].shape(), (Shape{1, 3, 2}));
  EXPECT_EQ(evaluate_node(make_node("Squeeze", 1, 1, {{"axes", ints_attr({0})}}), 11, {&x})[0].shape(),
            (Shape{3, 1, 2}));
  EXPECT_EQ(evaluate_node(make_node("Squeeze", 1, 1), 13, {&x})[0].shape(), (Shape{3, 2}));
  const Tensor bad = kernel_test::int64s({1});
  expect_error(make_node("Squeeze", 2, 1), 13, {&x, &bad}, ErrorCode::kInvalidModel, "axis 1 of size 3");
}

TEST(UnsqueezeTest, InsertsOnesAtOutputPositions) {
  const Tensor x = iota_f32({3, 4});
  const Tensor axes = kernel_test::int64s({3, -5, 1});
  EXPECT_EQ(evaluate_node(make_node("Unsqueeze", 2, 1), 13, {&x, &axes})[0].shape(), (Shape{1, 1, 3, 1, 4}));
  EXPECT_EQ(evaluate_node(make_node("Unsqueeze", 1, 1, {{"axes", ints_attr({2})}}), 11, {&x})[0].shape(),
            (Shape{3, 4, 1}));
  const Tensor repeated = kernel_test::int64s({0, 0});
  expect_error(make_node("Unsqueeze", 2, 1), 13, {&x, &repeated}, ErrorCode::kInvalidModel, "repeated");
}

TEST(TransposeTest, DefaultPermReversesDims) {
  const Tensor x = iota_f32({2, 3});
  const auto out = evaluate_node(make_node("Transpose", 1, 1), 13, {&x});
  EXPECT_EQ(out[0].shape(), (Shape{3, 2}));
  EXPECT_EQ(vals<float>(out[0]), (std::vector<float>{0, 3, 1, 4, 2, 5}));
}

TEST(TransposeTest, NchwToNhwcMatchesTheDefinitionOnAnyThreadCount) {
  const Shape shape{2, 40, 17, 33};
  const Tensor x = iota_f32(shape);
  const Node node = make_node("Transpose", 1, 1, {{"perm", ints_attr({0, 2, 3, 1})}});
  const Tensor one = evaluate_node(node, 13, {&x}, 1)[0];
  const Tensor four = evaluate_node(node, 13, {&x}, 4)[0];
  ASSERT_EQ(one.shape(), (Shape{2, 17, 33, 40}));
  const float* y = one.data<float>();
  for (int64_t n = 0, i = 0; n < 2; ++n)
    for (int64_t h = 0; h < 17; ++h)
      for (int64_t w = 0; w < 33; ++w)
        for (int64_t c = 0; c < 40; ++c, ++i) ASSERT_EQ(y[i], static_cast<float>(((n * 40 + c) * 17 + h) * 33 + w));
  EXPECT_EQ(std::memcmp(one.raw(), four.raw(), one.nbytes()), 0);
}

TEST(TransposeTest, MovesRawHalfElements) {
  Tensor x(DataType::kFloat16, {2, 2});
  const uint16_t bits[] = {0x3c00, 0x4000, 0x4200, 0x8000};
  std::memcpy(x.raw(), bits, sizeof bits);
  const Tensor y = evaluate_node(make_node("Transpose", 1, 1), 13, {&x})[0];
  ASSERT_EQ(y.dtype(), DataType::kFloat16);
  uint16_t got[4];
  std::memcpy(got, y.raw(), sizeof got);
  EXPECT_EQ(got[1], 0x4200);
  EXPECT_EQ(got[2], 0x4000);
  expect_error(make_node("Transpose", 1, 1, {{"perm", ints_attr({0, 0})}}), 13, {&x}, ErrorCode::kInvalidModel,
               "not a permutation");
}

TEST(ConcatTest, JoinsAlongTheAxis) {
  const Tensor a = Tensor::from_vector<int8_t>({1, 2, 3, 4}, {2, 2});
  const Tensor b = Tensor::from_vector<int8_t>({5, 6}, {2, 1});
  const auto out = evaluate_node(make_node("Concat", 2, 1, {{"axis", int_attr(-1)}}), 13, {&a, &b});
  EXPECT_EQ(out[0].shape(), (Shape{2, 3}));
  EXPECT_EQ(vals<int8_t>(out[0]), (std::vector<int8_t>{1, 2, 5, 3, 4, 6}));
  expect_error(make_node("Concat", 2, 1, {{"axis", int_attr(0)}}), 13, {&a, &b}, ErrorCode::kInvalidModel,
               "input 1 has shape 2x1");
}

TEST(SplitTest, SplitAsInputAsAttributeAndByNumOutputs) {
  const Tensor x = iota_f32({5, 2});
  const Tensor split = kernel_test::int64s({1, 4});
  auto out = evaluate_node(make_node("Split", 2, 2), 13, {&x, &split});
  EXPECT_EQ(out[1].shape(), (Shape{4, 2}));
  EXPECT_EQ(vals<float>(out[1])[0], 2.0f);
  out = evaluate_node(make_node("Split", 1, 2, {{"split", ints_attr({3, 2})}}), 11, {&x});
  EXPECT_EQ(out[0].shape(), (Shape{3, 2}));
  // Opset 18: ceil(5 / 3) = 2 per part, the last part smaller.
  out = evaluate_node(make_node("Split", 1, 3, {{"num_outputs", int_attr(3)}}), 18, {&x});
  EXPECT_EQ(out[2].shape(), (Shape{1, 2}));
  EXPECT_EQ(vals<float>(out[2]), (std::vector<float>{8, 9}));
  expect_error(make_node("Split", 1, 3), 13, {&x}, ErrorCode::kInvalidModel, "does not split evenly");
}

TEST(SplitTest, ContiguousPartsAreViewsAndStridedPartsCopies) {
  const Tensor x = iota_f32({1, 4, 3});  // outer dims of axis 1 are all 1: parts are contiguous
  const Tensor split = kernel_test::int64s({1, 3});
  auto out = evaluate_node(make_node("Split", 2, 2, {{"axis", int_attr(1)}}), 13, {&x, &split});
  EXPECT_TRUE(out[1].shares_buffer_with(x));
  EXPECT_EQ(vals<float>(out[1]), (std::vector<float>{3, 4, 5, 6, 7, 8, 9, 10, 11}));
  const Tensor y = iota_f32({2, 4});  // axis 1 with an outer dim of 2: strided, copied
  const Tensor halves = kernel_test::int64s({2, 2});
  out = evaluate_node(make_node("Split", 2, 2, {{"axis", int_attr(1)}}), 13, {&y, &halves});
  EXPECT_FALSE(out[1].shares_buffer_with(y));
  EXPECT_EQ(vals<float>(out[1]), (std::vector<float>{2, 3, 6, 7}));
}

TEST(IdentityDropoutTest, PassThroughWithAllTrueMask) {
  const Tensor x = iota_f32({2, 2});
  EXPECT_TRUE(evaluate_node(make_node("Identity", 1, 1), 16, {&x})[0].shares_buffer_with(x));
  const auto out = evaluate_node(make_node("Dropout", 1, 2), 13, {&x});
  EXPECT_TRUE(out[0].shares_buffer_with(x));
  EXPECT_EQ(vals<bool>(out[1]), (std::vector<bool>{true, true, true, true}));
  EXPECT_EQ(evaluate_node(make_node("Dropout", 1, 2), 7, {&x})[1].to_float_vector(), (std::vector<float>{1, 1, 1, 1}));
  const Tensor ratio = Tensor::scalar<float>(0.5f), training = Tensor::scalar<bool>(true);
  expect_error(make_node("Dropout", 3, 1), 13, {&x, &ratio, &training}, ErrorCode::kUnsupportedOp, "training_mode");
}

TEST(ShapeSizeTest, ShapeSliceAndElementCount) {
  const Tensor x(DataType::kBool, {2, 3, 4});
  EXPECT_EQ(vals<int64_t>(evaluate_node(make_node("Shape", 1, 1), 15, {&x})[0]), (std::vector<int64_t>{2, 3, 4}));
  const Node sliced = make_node("Shape", 1, 1, {{"start", int_attr(-2)}, {"end", int_attr(10)}});
  EXPECT_EQ(vals<int64_t>(evaluate_node(sliced, 15, {&x})[0]), (std::vector<int64_t>{3, 4}));
  const Tensor size = evaluate_node(make_node("Size", 1, 1), 13, {&x})[0];
  EXPECT_EQ(size.rank(), 0);
  EXPECT_EQ(vals<int64_t>(size), (std::vector<int64_t>{24}));
}

TEST(ExpandTileTest, BroadcastAndRepeat) {
  const Tensor x = Tensor::from_vector<int32_t>({1, 2, 3}, {3, 1});
  const Tensor shape = kernel_test::int64s({2, 1, 2});
  const Tensor e = evaluate_node(make_node("Expand", 2, 1), 13, {&x, &shape})[0];
  EXPECT_EQ(e.shape(), (Shape{2, 3, 2}));
  EXPECT_EQ(vals<int32_t>(e), (std::vector<int32_t>{1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3}));
  const Tensor repeats = kernel_test::int64s({2, 3});
  const Tensor t = evaluate_node(make_node("Tile", 2, 1), 13, {&x, &repeats})[0];
  EXPECT_EQ(t.shape(), (Shape{6, 3}));
  EXPECT_EQ(vals<int32_t>(t)[9], 1);  // row 3 is input row 0
  const Tensor bad = kernel_test::int64s({2});
  expect_error(make_node("Tile", 2, 1), 13, {&x, &bad}, ErrorCode::kInvalidModel, "1 entries for rank 2");
}

TEST(ConstantTest, ConstantOfShapeAndValueAttributes) {
  const Tensor shape = kernel_test::int64s({2, 2});
  const Tensor zeros = evaluate_node(make_node("ConstantOfShape", 1, 1), 9, {&shape})[0];
  EXPECT_EQ(zeros.dtype(), DataType::kFloat32);
  EXPECT_EQ(vals<float>(zeros), (std::vector<float>{0, 0, 0, 0}));
  Attribute value;
  value.kind = Attribute::Kind::kTensor;
  value.t = Tensor::from_vector<int64_t>({7}, {1});
  EXPECT_EQ(vals<int64_t>(evaluate_node(make_node("ConstantOfShape", 1, 1, {{"value", value}}), 9, {&shape})[0]),
            (std::vector<int64_t>{7, 7, 7, 7}));
  EXPECT_EQ(vals<int64_t>(evaluate_node(make_node("Constant", 0, 1, {{"value_ints", ints_attr({4, 5})}}), 13, {})[0]),
            (std::vector<int64_t>{4, 5}));
  expect_error(make_node("Constant", 0, 1, {{"value_string", string_attr("a")}}), 13, {}, ErrorCode::kUnsupportedOp,
               "string constant");
}

TEST(RangeTest, CountIsCeilOfSpanOverDelta) {
  const Tensor s = Tensor::scalar<float>(1.0f), l = Tensor::scalar<float>(2.0f), d = Tensor::scalar<float>(0.3f);
  EXPECT_EQ(evaluate_node(make_node("Range", 3, 1), 11, {&s, &l, &d})[0].shape(), (Shape{4}));
  const Tensor is = Tensor::scalar<int32_t>(10), il = Tensor::scalar<int32_t>(4), id = Tensor::scalar<int32_t>(-3);
  EXPECT_EQ(vals<int32_t>(evaluate_node(make_node("Range", 3, 1), 11, {&is, &il, &id})[0]),
            (std::vector<int32_t>{10, 7}));
  const Tensor zero = Tensor::scalar<int32_t>(0);
  expect_error(make_node("Range", 3, 1), 11, {&is, &il, &zero}, ErrorCode::kInvalidModel, "delta");
}

TEST(DepthToSpaceTest, DcrAndCrdChannelOrders) {
  const Tensor x = iota_f32({1, 4, 1, 1});  // channels 0..3, blocksize 2 -> 1x1x2x2
  const auto dcr = evaluate_node(make_node("DepthToSpace", 1, 1, {{"blocksize", int_attr(2)}}), 13, {&x})[0];
  EXPECT_EQ(dcr.shape(), (Shape{1, 1, 2, 2}));
  EXPECT_EQ(vals<float>(dcr), (std::vector<float>{0, 1, 2, 3}));
  const Tensor y = iota_f32({1, 8, 1, 1});  // 2 output channels: DCR interleaves them, CRD keeps them together
  const Node dcr_node = make_node("DepthToSpace", 1, 1, {{"blocksize", int_attr(2)}, {"mode", string_attr("DCR")}});
  const Node crd_node = make_node("DepthToSpace", 1, 1, {{"blocksize", int_attr(2)}, {"mode", string_attr("CRD")}});
  EXPECT_EQ(vals<float>(evaluate_node(dcr_node, 13, {&y})[0]), (std::vector<float>{0, 2, 4, 6, 1, 3, 5, 7}));
  EXPECT_EQ(vals<float>(evaluate_node(crd_node, 13, {&y})[0]), (std::vector<float>{0, 1, 2, 3, 4, 5, 6, 7}));
}

TEST(SpaceToDepthTest, InvertsDepthToSpaceDcr) {
  const Tensor x = iota_f32({2, 3, 4, 6});
  const Node s2d = make_node("SpaceToDepth", 1, 1, {{"blocksize", int_attr(2)}});
  const Tensor packed = evaluate_node(s2d, 13, {&x})[0];
  EXPECT_EQ(packed.shape(), (Shape{2, 12, 2, 3}));
  const Tensor back = evaluate_node(make_node("DepthToSpace", 1, 1, {{"blocksize", int_attr(2)}}), 13, {&packed})[0];
  EXPECT_EQ(vals<float>(back), vals<float>(x));
  const Tensor odd = iota_f32({1, 1, 3, 4});
  expect_error(s2d, 13, {&odd}, ErrorCode::kInvalidModel, "not divisible");
}

TEST(PadTest, ConstantValueInputAndAttributeForms) {
  const Tensor x = Tensor::from_vector<int16_t>({1, 2, 3}, {1, 3});
  const Tensor pads = kernel_test::int64s({0, 1, 0, 2});
  const Tensor value = Tensor::scalar<int16_t>(9);
  EXPECT_EQ(vals<int16_t>(evaluate_node(make_node("Pad", 3, 1), 13, {&x, &pads, &value})[0]),
            (std::vector<int16_t>{9, 1, 2, 3, 9, 9}));
  const Node v2 = make_node("Pad", 1, 1, {{"pads", ints_attr({0, 1, 0, 0})}});
  EXPECT_EQ(vals<int16_t>(evaluate_node(v2, 10, {&x})[0]), (std::vector<int16_t>{0, 1, 2, 3}));
}

TEST(PadTest, ReflectEdgeWrapAndNegativeCrop) {
  const Tensor x = Tensor::from_vector<int32_t>({1, 2, 3}, {3});
  const Tensor pads = kernel_test::int64s({2, 2});
  auto pad = [&](const std::string& mode, const Tensor& p) {
    return vals<int32_t>(evaluate_node(make_node("Pad", 2, 1, {{"mode", string_attr(mode)}}), 19, {&x, &p})[0]);
  };
  EXPECT_EQ(pad("reflect", pads), (std::vector<int32_t>{3, 2, 1, 2, 3, 2, 1}));
  EXPECT_EQ(pad("edge", pads), (std::vector<int32_t>{1, 1, 1, 2, 3, 3, 3}));
  EXPECT_EQ(pad("wrap", pads), (std::vector<int32_t>{2, 3, 1, 2, 3, 1, 2}));
  // Crop one element at the start, then reflect the remaining [2, 3] by one at the end.
  EXPECT_EQ(pad("reflect", kernel_test::int64s({-1, 1})), (std::vector<int32_t>{2, 3, 2}));
  const Tensor crop_all = kernel_test::int64s({-2, -2});
  expect_error(make_node("Pad", 2, 1), 13, {&x, &crop_all}, ErrorCode::kInvalidModel, "crop more than the dim 3");
}

TEST(PadTest, AxesInputPadsOnlyTheListedAxes) {
  const Tensor x = iota_f32({2, 2});
  const Tensor pads = kernel_test::int64s({1, 0});
  const Tensor axes = kernel_test::int64s({-1});
  const Tensor y = evaluate_node(make_node("Pad", 4, 1), 18, {&x, &pads, nullptr, &axes})[0];
  EXPECT_EQ(y.shape(), (Shape{2, 3}));
  EXPECT_EQ(vals<float>(y), (std::vector<float>{0, 0, 1, 0, 2, 3}));
}

// Shapes computed from hostile attributes or input values: each is a coded E19020 error
// (before anything is allocated), never an overflow, a huge allocation or a crash.
TEST(HostileShapes, OverflowingOrHugeOutputShapesAreCodedErrors) {
  using kernel_test::error_of;
  using kernel_test::int64s;
  using kernel_test::int_attr;
  using kernel_test::ints_attr;
  using kernel_test::make_node;
  constexpr int64_t kBig = int64_t{1} << 40;
  const Tensor x = kernel_test::floats({1, 2, 3, 4}, {1, 1, 2, 2});
  const Tensor reshape_shape = int64s({kBig, kBig, -1});  // the product of the entries overflows
  EXPECT_EQ(error_of(make_node("Reshape", 2), 17, {&x, &reshape_shape}), ErrorCode::kInvalidModel);
  const Tensor repeats = int64s({1, 1, kBig, kBig});  // 2 * 2^40 per dim: 2^82 elements
  EXPECT_EQ(error_of(make_node("Tile", 2), 17, {&x, &repeats}), ErrorCode::kInvalidModel);
  const Tensor huge_shape = int64s({kBig, kBig});
  EXPECT_EQ(error_of(make_node("ConstantOfShape", 1), 17, {&huge_shape}), ErrorCode::kInvalidModel);
  EXPECT_EQ(error_of(make_node("Expand", 2), 17, {&x, &huge_shape}), ErrorCode::kInvalidModel);
  const Tensor pads = int64s({0, 0, 0, 0, 0, 0, kBig, int64_t{1} << 62});  // beyond the pad bound
  EXPECT_EQ(error_of(make_node("Pad", 2), 18, {&x, &pads}), ErrorCode::kInvalidModel);
  const Tensor big_pads = int64s({0, 0, 0, 0, 0, 0, kBig, kBig});  // 2^41 x 2 floats: beyond the memory limit
  EXPECT_EQ(error_of(make_node("Pad", 2), 18, {&x, &big_pads}), ErrorCode::kInvalidModel);
  const Tensor scales = kernel_test::floats({1, 1, 1e30f, 1e30f}, {4});
  EXPECT_EQ(error_of(make_node("Resize", 3), 13, {&x, nullptr, &scales}), ErrorCode::kInvalidModel);

  Node space = make_node("SpaceToDepth", 1);
  space.attrs["blocksize"] = int_attr(int64_t{1} << 32);
  EXPECT_EQ(error_of(space, 17, {&x}), ErrorCode::kInvalidModel);
  Node depth = make_node("DepthToSpace", 1);
  depth.attrs["blocksize"] = int_attr(int64_t{1} << 32);
  EXPECT_EQ(error_of(depth, 17, {&x}), ErrorCode::kInvalidModel);

  const Tensor w = kernel_test::floats({1, 1, 1, 1}, {1, 1, 2, 2});
  for (const auto& [key, value] : {std::pair{"dilations", std::vector<int64_t>{int64_t{1} << 40, 1}},
                                   std::pair{"strides", std::vector<int64_t>{1, int64_t{1} << 40}},
                                   std::pair{"pads", std::vector<int64_t>{0, 0, int64_t{1} << 62, 0}}}) {
    Node conv = make_node("Conv", 2);
    conv.attrs[key] = ints_attr(value);
    EXPECT_EQ(error_of(conv, 17, {&x, &w}), ErrorCode::kInvalidModel) << key;
  }
  Node pool = make_node("MaxPool", 1);
  pool.attrs["kernel_shape"] = ints_attr({int64_t{1} << 40, 1});
  EXPECT_EQ(error_of(pool, 17, {&x}), ErrorCode::kInvalidModel);
}

}  // namespace
}  // namespace ptqc
