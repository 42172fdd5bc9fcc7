#pragma once
/// \file
/// Dense tensors: an element type, a shape and a reference-counted, 64-byte
/// aligned buffer. Copies of a Tensor share the buffer (views after Reshape,
/// Identity, ... cost nothing); clone() makes a deep copy.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ptqc/error.h"

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

/// Product of the dims (1 for a scalar). Throws E19020 when a dim is negative or when the
/// product of the non-zero dims overflows int64 (so every stride of the shape fits as well).
/// This is the one place a shape's element count is formed; the sizes below build on it.
int64_t shape_numel(const Shape& shape);
/// "1x3x224x224" ("scalar" for rank 0).
std::string shape_string(const Shape& shape);

/// The most bytes one tensor may take: the machine's physical memory unless lowered with
/// set_max_tensor_bytes (the tools' --max_memory). Shapes beyond it are refused before
/// anything is allocated, so a hostile model or flag cannot make ptqc allocate without bound.
uint64_t max_tensor_bytes();
void set_max_tensor_bytes(uint64_t bytes);

/// shape_numel(shape) * dtype_size(dtype) when the dims are valid and the size is within
/// max_tensor_bytes(); nullopt otherwise. For hot paths, which format a message only on failure.
std::optional<uint64_t> tensor_bytes_within_limit(const Shape& shape, DataType dtype) noexcept;

/// The bytes of a \p dtype tensor of \p shape: shape_numel(shape) * dtype_size(dtype). Throws
/// \p code (E19020 by default) naming \p what, its dims and the limit when the count overflows
/// or the size exceeds max_tensor_bytes().
uint64_t checked_tensor_bytes(const Shape& shape, DataType dtype, const std::string& what,
                              ErrorCode code = ErrorCode::kInvalidModel);

/// Thrown when the elements of an abstract tensor (Tensor::abstract) are read or written.
/// Shape inference runs kernels on such tensors and stops a kernel with it once it starts to
/// compute; it never reaches a user (if it did, it is reported as E19999).
class AbstractTensorAccess : public std::logic_error {
 public:
  AbstractTensorAccess() : std::logic_error("elements of an abstract tensor were accessed") {}
};
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
  /// Both constructors check the shape (checked_tensor_bytes) before allocating.
  Tensor(DataType dtype, Shape shape, BufferAllocator& allocator);
  /// An uninitialised tensor on \p storage (the executor's arena regions), checked like the
  /// others. \pre \p storage holds at least numel * dtype_size bytes, 64-byte aligned.
  Tensor(DataType dtype, Shape shape, std::shared_ptr<std::byte> storage);
  /// A tensor with an element type and a checked shape but no elements: what shape
  /// inference passes through the kernels. Reading or writing its elements throws
  /// AbstractTensorAccess; reshaping and views work as for any tensor.
  static Tensor abstract(DataType dtype, Shape shape);

  /// A scalar or 1-D tensor holding \p values.
  template <class T>
  static Tensor from_vector(const std::vector<T>& values, Shape shape);
  template <class T>
  static Tensor scalar(T value) { return from_vector<T>({value}, {}); }

  bool empty() const { return dtype_ == DataType::kUndefined; }
  /// False for abstract tensors (and the empty tensor).
  bool has_values() const { return storage_ != nullptr; }
  DataType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int64_t rank() const { return static_cast<int64_t>(shape_.size()); }
  int64_t dim(int64_t i) const { return shape_[static_cast<size_t>(i)]; }
  int64_t numel() const { return numel_; }
  /// Cannot overflow: the constructors checked the size against max_tensor_bytes().
  size_t nbytes() const { return static_cast<size_t>(numel_) * dtype_size(dtype_); }

  std::byte* raw() { check_values(); return storage_.get(); }
  const std::byte* raw() const { check_values(); return storage_.get(); }
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
  void check_values() const {
    if (!storage_ && dtype_ != DataType::kUndefined) throw AbstractTensorAccess();
  }

  DataType dtype_ = DataType::kUndefined;
  Shape shape_;
  int64_t numel_ = 1;  ///< shape_numel(shape_), checked once
  std::shared_ptr<std::byte> storage_;
};

template <class T>
Tensor Tensor::from_vector(const std::vector<T>& values, Shape shape) {
  Tensor t(dtype_of<T>(), std::move(shape));
  T* out = t.data<T>();
  for (size_t i = 0; i < values.size() && i < static_cast<size_t>(t.numel()); ++i) out[i] = values[i];
  return t;
}

/// A new tensor holding \p bytes as its elements (little-endian, as ONNX raw data, .om weights
/// and .bin files store them). Bytes of a bool tensor other than 0 read as true. Throws
/// E19999 when \p bytes does not have the tensor's size (callers check it with their context).
Tensor tensor_from_bytes(DataType dtype, Shape shape, std::string_view bytes,
                         BufferAllocator& allocator = default_allocator());

/// IEEE half <-> float conversions (round to nearest even).
float half_to_float(uint16_t h);
uint16_t float_to_half(float f);
/// bfloat16 <-> float (round to nearest even).
float bfloat16_to_float(uint16_t b);
uint16_t float_to_bfloat16(float f);

/// Converts \p src to \p dtype element by element with ONNX Cast semantics
/// (float->int truncates toward zero; anything->bool is != 0).
Tensor cast_tensor(const Tensor& src, DataType dtype, BufferAllocator& allocator = default_allocator());
/// cast_tensor into the existing \p out, whose element type is the target. \pre same shapes.
void cast_tensor_into(const Tensor& src, Tensor& out);

}  // namespace ptqc
