// WEIGHTS_DATA: layout, FP16 storage, and each check of read_weight.

#include "om/weights.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "ptqc/error.h"

using namespace ptqc;

namespace {

std::string error_of(const proto::WeightRef& ref, const std::string& weights) {
  try {
    read_weight(ref, weights, "m.om", "constant 'w'");
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidModel);
    EXPECT_EQ(e.message().rfind("m.om: constant 'w' ", 0), 0u) << e.message();
    return e.message();
  }
  ADD_FAILURE() << "the reference was accepted";
  return "";
}

/// A reference to an empty tensor of \p dtype stored as \p stored.
proto::WeightRef ref_of(DataType dtype, DataType stored) {
  proto::WeightRef ref;
  ref.set_dtype(static_cast<int32_t>(dtype));
  ref.set_stored_dtype(static_cast<int32_t>(stored));
  return ref;
}

}  // namespace

TEST(Weights, TensorsStartAt64ByteBoundariesWithZeroPadding) {
  WeightsWriter writer(true);
  const auto a = writer.append(Tensor::from_vector<int8_t>({1, -2, 3}, {3}), true, "a");
  const auto b = writer.append(Tensor::from_vector<int32_t>({-1, 65536}, {2}), true, "b");
  EXPECT_EQ(a.offset(), 0u);
  EXPECT_EQ(a.size(), 3u);
  EXPECT_EQ(b.offset(), 64u);
  EXPECT_EQ(b.size(), 8u);
  const std::string& bytes = writer.bytes();
  ASSERT_EQ(bytes.size(), 72u);
  EXPECT_EQ(bytes.substr(0, 3), "\x01\xFE\x03");
  EXPECT_EQ(bytes.substr(3, 61), std::string(61, '\0'));
  EXPECT_EQ(bytes.substr(64), std::string("\xFF\xFF\xFF\xFF\x00\x00\x01\x00", 8));  // little-endian int32
}

TEST(Weights, Float32IsStoredAsFp16WhenAllowed) {
  WeightsWriter writer(true);
  const auto ref = writer.append(Tensor::from_vector<float>({1.0f, -2.0f, 0.1f}, {3}), true, "w");
  EXPECT_EQ(ref.dtype(), static_cast<int32_t>(DataType::kFloat32));
  EXPECT_EQ(ref.stored_dtype(), static_cast<int32_t>(DataType::kFloat16));
  EXPECT_EQ(ref.size(), 6u);
  // FP16 bits: 1.0 = 0x3C00, -2.0 = 0xC000, 0.1 = 0x2E66.
  EXPECT_EQ(writer.bytes(), std::string("\x00\x3C\x00\xC0\x66\x2E", 6));
  const Tensor back = read_weight(ref, writer.bytes(), "m.om", "w");
  ASSERT_EQ(back.dtype(), DataType::kFloat32);
  EXPECT_EQ(back.data<float>()[2], 0.0999755859375f);
}

TEST(Weights, Fp16IsSkippedWhenNotAllowedOrOutOfRange) {
  WeightsWriter writer(true);
  const auto attr = writer.append(Tensor::from_vector<float>({0.1f}, {1}), false, "attr");
  EXPECT_EQ(attr.stored_dtype(), static_cast<int32_t>(DataType::kFloat32));
  // 65504 is FP16's largest finite value; 65520 rounds to infinity.
  const auto edge = writer.append(Tensor::from_vector<float>({65504.0f, -65504.0f}, {2}), true, "edge");
  EXPECT_EQ(edge.stored_dtype(), static_cast<int32_t>(DataType::kFloat16));
  const auto big = writer.append(Tensor::from_vector<float>({1.0f, 65520.0f}, {2}), true, "big");
  EXPECT_EQ(big.stored_dtype(), static_cast<int32_t>(DataType::kFloat32));
  // Infinities and NaN are representable: they do not force float32.
  const float inf = std::numeric_limits<float>::infinity();
  const auto special = writer.append(Tensor::from_vector<float>({inf, -inf, std::nanf("")}, {3}), true, "special");
  EXPECT_EQ(special.stored_dtype(), static_cast<int32_t>(DataType::kFloat16));
  const Tensor back = read_weight(special, writer.bytes(), "m.om", "special");
  EXPECT_EQ(back.data<float>()[0], inf);
  EXPECT_TRUE(std::isnan(back.data<float>()[2]));
}

TEST(Weights, Fp16CanBeDisabled) {
  WeightsWriter writer(false);
  const auto ref = writer.append(Tensor::from_vector<float>({0.1f}, {1}), true, "w");
  EXPECT_EQ(ref.stored_dtype(), static_cast<int32_t>(DataType::kFloat32));
  EXPECT_EQ(read_weight(ref, writer.bytes(), "m.om", "w").data<float>()[0], 0.1f);
}

TEST(Weights, ScalarsAndEmptyTensorsRoundTrip) {
  WeightsWriter writer(true);
  const auto scalar = writer.append(Tensor::scalar<int64_t>(-5), true, "s");
  const auto empty = writer.append(Tensor(DataType::kFloat32, {0, 4}), true, "e");
  const Tensor s = read_weight(scalar, writer.bytes(), "m.om", "s");
  EXPECT_EQ(s.rank(), 0);
  EXPECT_EQ(s.data<int64_t>()[0], -5);
  const Tensor e = read_weight(empty, writer.bytes(), "m.om", "e");
  EXPECT_EQ(e.shape(), (Shape{0, 4}));
}

TEST(Weights, UnknownElementType) {
  const proto::WeightRef ref = ref_of(static_cast<DataType>(8), static_cast<DataType>(8));  // ONNX STRING
  EXPECT_NE(error_of(ref, "").find("unknown element type 8"), std::string::npos);
}

TEST(Weights, StoredTypeMustMatch) {
  const proto::WeightRef ref = ref_of(DataType::kInt32, DataType::kInt8);
  EXPECT_NE(error_of(ref, "").find("int32 tensor stored as element type 3"), std::string::npos);
}

TEST(Weights, SizeMustMatchTheShape) {
  proto::WeightRef ref = ref_of(DataType::kInt32, DataType::kInt32);
  ref.add_dims(3);
  ref.set_size(8);
  EXPECT_NE(error_of(ref, std::string(64, '\0')).find("is 8 bytes, but int32 3 needs 12"), std::string::npos);
}

TEST(Weights, NegativeDimIsInvalid) {
  proto::WeightRef ref = ref_of(DataType::kInt8, DataType::kInt8);
  ref.add_dims(-1);
  EXPECT_NE(error_of(ref, "").find("invalid shape"), std::string::npos);
}

TEST(Weights, OffsetMustBeAlignedAndInside) {
  proto::WeightRef ref = ref_of(DataType::kInt8, DataType::kInt8);
  ref.add_dims(4);
  ref.set_size(4);
  ref.set_offset(32);
  EXPECT_NE(error_of(ref, std::string(128, '\0')).find("not a multiple of 64"), std::string::npos);
  ref.set_offset(64);
  EXPECT_NE(error_of(ref, std::string(66, '\0')).find("lies outside WEIGHTS_DATA (66 bytes)"), std::string::npos);
  ref.set_offset(0xFFFFFFFFFFFFFFC0ull);  // offset + size wraps around 64 bits
  EXPECT_NE(error_of(ref, std::string(66, '\0')).find("lies outside"), std::string::npos);
}
