// Tensor sizes: the one checked element count / byte size, the memory limit, abstract tensors
// and byte decoding.

#include <gtest/gtest.h>

#include <cstring>

#include "ptqc/error.h"
#include "ptqc/tensor.h"

using namespace ptqc;

namespace {

/// Restores the machine-wide limit when a test changes it.
class TensorLimit : public testing::Test {
 protected:
  void TearDown() override { set_max_tensor_bytes(saved_); }
  uint64_t saved_ = max_tensor_bytes();
};

ErrorCode code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode::kInternal;
}

TEST(ShapeNumel, CountsAndRefusesNegativeOrOverflowingShapes) {
  EXPECT_EQ(shape_numel({}), 1);
  EXPECT_EQ(shape_numel({2, 3, 4}), 24);
  EXPECT_EQ(shape_numel({0, 5}), 0);
  EXPECT_EQ(code_of([] { shape_numel({2, -1}); }), ErrorCode::kInvalidModel);
  EXPECT_EQ(code_of([] { shape_numel({int64_t{1} << 32, int64_t{1} << 32}); }), ErrorCode::kInvalidModel);
  // A zero dim does not excuse the others: their strides would still overflow.
  EXPECT_EQ(code_of([] { shape_numel({0, int64_t{1} << 40, int64_t{1} << 40}); }), ErrorCode::kInvalidModel);
}

TEST_F(TensorLimit, CheckedBytesNameTheTensorAndTheLimit) {
  set_max_tensor_bytes(1000);
  EXPECT_EQ(checked_tensor_bytes({10, 25}, DataType::kFloat32, "w"), 1000u);
  EXPECT_EQ(tensor_bytes_within_limit({10, 25}, DataType::kFloat32), std::optional<uint64_t>(1000));
  EXPECT_FALSE(tensor_bytes_within_limit({10, 26}, DataType::kFloat32).has_value());
  EXPECT_EQ(tensor_bytes_within_limit({0, 1 << 20}, DataType::kFloat32), std::optional<uint64_t>(0));
  try {
    checked_tensor_bytes({10, 26}, DataType::kFloat32, "initializer 'w'", ErrorCode::kInvalidValue);
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidValue);
    EXPECT_NE(e.message().find("initializer 'w'"), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("10x26"), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("1040 bytes"), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("limit of 1000"), std::string::npos) << e.message();
  }
  // The product of element count and element size can wrap where the count alone does not.
  EXPECT_FALSE(tensor_bytes_within_limit({int64_t{1} << 62}, DataType::kFloat64).has_value());
}

TEST_F(TensorLimit, TensorsBeyondTheLimitAreRefusedBeforeAllocating) {
  set_max_tensor_bytes(4096);
  EXPECT_NO_THROW(Tensor(DataType::kFloat32, {1024}));
  EXPECT_EQ(code_of([] { Tensor(DataType::kFloat32, {1025}); }), ErrorCode::kInvalidModel);
  EXPECT_EQ(code_of([] { Tensor::abstract(DataType::kFloat32, {int64_t{1} << 40}); }), ErrorCode::kInvalidModel);
}

TEST(AbstractTensor, HasATypeAndShapeButNoElements) {
  const Tensor t = Tensor::abstract(DataType::kFloat32, {2, 3});
  EXPECT_EQ(t.numel(), 6);
  EXPECT_EQ(t.nbytes(), 24u);
  EXPECT_FALSE(t.has_values());
  EXPECT_THROW(t.data<float>(), AbstractTensorAccess);
  EXPECT_THROW(t.raw(), AbstractTensorAccess);
  const Tensor view = t.reshaped({6});
  EXPECT_EQ(view.shape(), Shape{6});
  EXPECT_FALSE(view.has_values());
  EXPECT_FALSE(t.contiguous_view(2, {2, 2}).has_values());
  EXPECT_TRUE(Tensor(DataType::kFloat32, {2}).has_values());
}

TEST(TensorFromBytes, CopiesElementsAndNormalisesBools) {
  const float values[2] = {1.5f, -2.0f};
  const Tensor f = tensor_from_bytes(DataType::kFloat32, {2}, std::string_view(reinterpret_cast<const char*>(values), 8));
  EXPECT_EQ(f.values<float>()[1], -2.0f);
  const Tensor b = tensor_from_bytes(DataType::kBool, {3}, std::string_view("\x00\x02\xff", 3));
  EXPECT_EQ(std::memcmp(b.raw(), "\x00\x01\x01", 3), 0);  // a bool holds 0 or 1, whatever the file said
  EXPECT_EQ(code_of([] { tensor_from_bytes(DataType::kFloat32, {2}, "short"); }), ErrorCode::kInternal);
}

}  // namespace
