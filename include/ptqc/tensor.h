#pragma once
/// \file
/// Dense tensors: an element type, a shape and a reference-counted, 64-byte
/// aligned buffer. Copies of a Tensor share the buffer (views after Reshape,
/// Identity, ... cost nothing); clone() makes a deep copy.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace ptqc {

/// Element types. The numeric values are ONNX TensorProto::DataType's, so the
/// frontend converts by a cast after checking support.
enum class DataType : int32_t {
  kUndefined = 0,
  kFloat32 = 1,
  kUInt8 = 2,
  kInt8 = 3,
  kUInt16 = 4,
  kInt16 = 5,
  kInt32 = 6,
  kInt64 = 7,
  kBool = 9,
  kFloat16 = 10,
  kFloat64 = 11,
  kUInt32 = 12,
  kUInt64 = 13,
  kBFloat16 = 16,
};

/// Bytes per element (0 for kUndefined).
size_t dtype_size(DataType dtype);
/// "float32", "int8", ... as used in reports and outputs.json.
std::string dtype_name(DataType dtype);
/// True for the float32/float16/bfloat16/float64 types.
bool is_float(DataType dtype);
/// True when \p onnx_type is one of the DataType values above.
bool is_supported_dtype(int32_t onnx_type);

using Shape = std::vector<int64_t>;

/// Product of the dims (1 for a scalar). \pre every dim >= 0.
int64_t shape_numel(const Shape& shape);
/// "1x3x224x224" ("scalar" for rank 0).
std::string shape_string(const Shape& shape);

/// Compile-time map from C++ element type to DataType.
template <class T> constexpr DataType dtype_of();
template <> constexpr DataType dtype_of<float>() { return DataType::kFloat32; }
template <> constexpr DataType dtype_of<double>() { return DataType::kFloat64; }
template <> constexpr DataType dtype_of<int8_t>() { return DataType::kInt8; }
template <> constexpr DataType dtype_of<uint8_t>() { return DataType::kUInt8; }
template <> constexpr DataType dtype_of<int16_t>() { return DataType::kInt16; }
template <> constexpr DataType dtype_of<uint16_t>() { return DataType::kUInt16; }
template <> constexpr DataType dtype_of<int32_t>() { return DataType::kInt32; }
template <> constexpr DataType dtype_of<uint32_t>() { return DataType::kUInt32; }
template <> constexpr DataType dtype_of<int64_t>() { return DataType::kInt64; }
template <> constexpr DataType dtype_of<uint64_t>() { return DataType::kUInt64; }
template <> constexpr DataType dtype_of<bool>() { return DataType::kBool; }

/// Allocates tensor buffers. The executor installs a pooling allocator so the
/// steady-state inference loop does not call malloc.
class BufferAllocator {
 public:
  virtual ~BufferAllocator() = default;
  /// A buffer of at least \p bytes, 64-byte aligned, released through the deleter.
  virtual std::shared_ptr<std::byte> allocate(size_t bytes) = 0;
};

/// The plain aligned-new allocator.
BufferAllocator& default_allocator();

class Tensor {
 public:
  Tensor() = default;
  /// A zero-filled tensor.
  Tensor(DataType dtype, Shape shape);
  /// An uninitialised tensor from \p allocator (contents unspecified).
  Tensor(DataType dtype, Shape shape, BufferAllocator& allocator);

  /// A scalar or 1-D tensor holding \p values.
  template <class T>
  static Tensor from_vector(const std::vector<T>& values, Shape shape);
  template <class T>
  static Tensor scalar(T value) { return from_vector<T>({value}, {}); }

  bool empty() const { return dtype_ == DataType::kUndefined; }
  DataType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int64_t rank() const { return static_cast<int64_t>(shape_.size()); }
  int64_t dim(int64_t i) const { return shape_[static_cast<size_t>(i)]; }
  int64_t numel() const { return shape_numel(shape_); }
  size_t nbytes() const { return static_cast<size_t>(numel()) * dtype_size(dtype_); }

  std::byte* raw() { return storage_.get(); }
  const std::byte* raw() const { return storage_.get(); }
  /// Typed access. Throws E19999 when T does not match dtype() (a ptqc bug).
  template <class T> T* data() { check_type(dtype_of<T>()); return reinterpret_cast<T*>(raw()); }
  template <class T> const T* data() const { check_type(dtype_of<T>()); return reinterpret_cast<const T*>(raw()); }
  template <class T> std::span<T> values() { return {data<T>(), static_cast<size_t>(numel())}; }
  template <class T> std::span<const T> values() const { return {data<T>(), static_cast<size_t>(numel())}; }

  /// Same buffer, new shape. \pre numel of \p shape equals numel().
  Tensor reshaped(Shape shape) const;
  /// A view of the contiguous elements [first, first + numel(shape)) with \p shape, sharing
  /// (and keeping alive) this tensor's buffer. \pre the range lies inside this tensor.
  Tensor contiguous_view(int64_t first, Shape shape) const;
  /// Deep copy.
  Tensor clone() const;
  /// True when the tensors share a buffer (views included).
  bool shares_buffer_with(const Tensor& other) const {
    return storage_ && !storage_.owner_before(other.storage_) && !other.storage_.owner_before(storage_);
  }

  /// The elements converted to int64 (integer and bool tensors; used for shape inputs).
  std::vector<int64_t> to_int64_vector() const;
  /// The elements converted to float (any numeric type).
  std::vector<float> to_float_vector() const;

 private:
  void check_type(DataType wanted) const;

  DataType dtype_ = DataType::kUndefined;
  Shape shape_;
  std::shared_ptr<std::byte> storage_;
};

template <class T>
Tensor Tensor::from_vector(const std::vector<T>& values, Shape shape) {
  Tensor t(dtype_of<T>(), std::move(shape));
  T* out = t.data<T>();
  for (size_t i = 0; i < values.size() && i < static_cast<size_t>(t.numel()); ++i) out[i] = values[i];
  return t;
}

/// IEEE half <-> float conversions (round to nearest even).
float half_to_float(uint16_t h);
uint16_t float_to_half(float f);
/// bfloat16 <-> float (round to nearest even).
float bfloat16_to_float(uint16_t b);
uint16_t float_to_bfloat16(float f);

/// Converts \p src to \p dtype element by element with ONNX Cast semantics
/// (float->int truncates toward zero; anything->bool is != 0).
Tensor cast_tensor(const Tensor& src, DataType dtype, BufferAllocator& allocator = default_allocator());

}  // namespace ptqc
