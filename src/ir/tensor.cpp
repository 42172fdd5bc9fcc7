#include "ptqc/tensor.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <new>
#include <sstream>

#include "ptqc/error.h"

namespace ptqc {

size_t dtype_size(DataType dtype) {
  switch (dtype) {
    case DataType::kUndefined: return 0;
    case DataType::kBool:
    case DataType::kInt8:
    case DataType::kUInt8: return 1;
    case DataType::kInt16:
    case DataType::kUInt16:
    case DataType::kFloat16:
    case DataType::kBFloat16: return 2;
    case DataType::kInt32:
    case DataType::kUInt32:
    case DataType::kFloat32: return 4;
    case DataType::kInt64:
    case DataType::kUInt64:
    case DataType::kFloat64: return 8;
  }
  return 0;
}

std::string dtype_name(DataType dtype) {
  switch (dtype) {
    case DataType::kUndefined: return "undefined";
    case DataType::kFloat32: return "float32";
    case DataType::kUInt8: return "uint8";
    case DataType::kInt8: return "int8";
    case DataType::kUInt16: return "uint16";
    case DataType::kInt16: return "int16";
    case DataType::kInt32: return "int32";
    case DataType::kInt64: return "int64";
    case DataType::kBool: return "bool";
    case DataType::kFloat16: return "float16";
    case DataType::kFloat64: return "float64";
    case DataType::kUInt32: return "uint32";
    case DataType::kUInt64: return "uint64";
    case DataType::kBFloat16: return "bfloat16";
  }
  return "undefined";
}

bool is_float(DataType dtype) {
  return dtype == DataType::kFloat32 || dtype == DataType::kFloat16 || dtype == DataType::kBFloat16 ||
         dtype == DataType::kFloat64;
}

bool is_supported_dtype(int32_t onnx_type) {
  return onnx_type != 0 && dtype_size(static_cast<DataType>(onnx_type)) != 0;
}

namespace {

/// The element count of \p shape and the product of its non-zero dims (which bounds every
/// stride), or nullopt when a dim is negative or that product overflows int64.
struct ElementCount {
  int64_t numel;
  int64_t nonzero_product;
};
std::optional<ElementCount> element_count(const Shape& shape) noexcept {
  ElementCount count{1, 1};
  bool has_zero = false;
  for (int64_t d : shape) {
    if (d < 0 || (d > 0 && __builtin_mul_overflow(count.nonzero_product, d, &count.nonzero_product))) return std::nullopt;
    has_zero = has_zero || d == 0;
  }
  count.numel = has_zero ? 0 : count.nonzero_product;
  return count;
}

}  // namespace

int64_t shape_numel(const Shape& shape) {
  if (const auto count = element_count(shape)) return count->numel;
  const bool negative = std::any_of(shape.begin(), shape.end(), [](int64_t d) { return d < 0; });
  throw Error(ErrorCode::kInvalidModel, "shape " + shape_string(shape) +
                                            (negative ? " has a negative dim" : " has more elements than a 64-bit count holds"));
}

std::string shape_string(const Shape& shape) {
  if (shape.empty()) return "scalar";
  std::ostringstream out;
  for (size_t i = 0; i < shape.size(); ++i) out << (i ? "x" : "") << shape[i];
  return out.str();
}

namespace {

uint64_t physical_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page_size = ::sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page_size <= 0) return uint64_t{1} << 40;  // unknown: 1 TiB
  return static_cast<uint64_t>(pages) * static_cast<uint64_t>(page_size);
}

std::atomic<uint64_t>& tensor_byte_limit() {
  static std::atomic<uint64_t> limit{physical_memory_bytes()};
  return limit;
}

}  // namespace

uint64_t max_tensor_bytes() { return tensor_byte_limit().load(std::memory_order_relaxed); }

void set_max_tensor_bytes(uint64_t bytes) { tensor_byte_limit().store(bytes, std::memory_order_relaxed); }

std::optional<uint64_t> tensor_bytes_within_limit(const Shape& shape, DataType dtype) noexcept {
  const auto count = element_count(shape);
  uint64_t bytes = 0;
  if (!count || __builtin_mul_overflow(static_cast<uint64_t>(count->nonzero_product), dtype_size(dtype), &bytes)) {
    return std::nullopt;
  }
  if (count->numel == 0) return 0;
  if (bytes > max_tensor_bytes()) return std::nullopt;
  return bytes;
}

uint64_t checked_tensor_bytes(const Shape& shape, DataType dtype, const std::string& what, ErrorCode code) {
  if (const auto bytes = tensor_bytes_within_limit(shape, dtype)) return *bytes;
  try {
    shape_numel(shape);  // a negative dim or an overflowing count: its own message
  } catch (const Error& e) {
    throw Error(code, what + ": " + e.message());
  }
  const auto numel = static_cast<uint64_t>(shape_numel(shape));
  uint64_t bytes = 0;
  const bool overflow = __builtin_mul_overflow(numel, dtype_size(dtype), &bytes);
  throw Error(code, what + ": a " + dtype_name(dtype) + " tensor of shape " + shape_string(shape) + " needs " +
                        (overflow ? std::string("more than 2^64") : std::to_string(bytes)) +
                        " bytes, more than the limit of " + std::to_string(max_tensor_bytes()) +
                        " bytes (the machine's memory, or --max_memory)");
}

namespace {

constexpr size_t kAlignment = 64;

class AlignedAllocator final : public BufferAllocator {
 public:
  std::shared_ptr<std::byte> allocate(size_t bytes) override {
    // Round up so vector kernels may read a full register past the end of small tensors.
    size_t rounded = (bytes + kAlignment - 1) / kAlignment * kAlignment + kAlignment;
    auto* p = static_cast<std::byte*>(::operator new(rounded, std::align_val_t(kAlignment)));
    return std::shared_ptr<std::byte>(p, [](std::byte* q) { ::operator delete(q, std::align_val_t(kAlignment)); });
  }
};

}  // namespace

BufferAllocator& default_allocator() {
  static AlignedAllocator allocator;
  return allocator;
}

Tensor::Tensor(DataType dtype, Shape shape, BufferAllocator& allocator) : Tensor(abstract(dtype, std::move(shape))) {
  storage_ = allocator.allocate(nbytes());
}

Tensor::Tensor(DataType dtype, Shape shape, std::shared_ptr<std::byte> storage)
    : Tensor(abstract(dtype, std::move(shape))) {
  storage_ = std::move(storage);
}

Tensor Tensor::abstract(DataType dtype, Shape shape) {
  Tensor t;
  checked_tensor_bytes(shape, dtype, "cannot allocate");
  t.dtype_ = dtype;
  t.numel_ = shape_numel(shape);
  t.shape_ = std::move(shape);
  return t;
}

Tensor::Tensor(DataType dtype, Shape shape) : Tensor(dtype, std::move(shape), default_allocator()) {
  if (nbytes() > 0) std::memset(storage_.get(), 0, nbytes());
}

Tensor Tensor::reshaped(Shape shape) const {
  if (shape_numel(shape) != numel()) {
    throw Error(ErrorCode::kInternal, "reshape " + shape_string(shape_) + " -> " + shape_string(shape));
  }
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

Tensor Tensor::contiguous_view(int64_t first, Shape shape) const {
  const int64_t count = shape_numel(shape);
  if (first < 0 || first + count > numel()) {
    throw Error(ErrorCode::kInternal, "view of " + std::to_string(count) + " elements at " + std::to_string(first) +
                                          " outside a tensor of " + shape_string(shape_));
  }
  Tensor t = *this;
  t.shape_ = std::move(shape);
  t.numel_ = count;
  // The aliasing constructor shares ownership of the whole buffer but points into it.
  if (storage_) t.storage_ = std::shared_ptr<std::byte>(storage_, storage_.get() + static_cast<size_t>(first) * dtype_size(dtype_));
  return t;
}

Tensor Tensor::clone() const {
  if (empty() || !has_values()) return *this;
  Tensor t(dtype_, shape_, default_allocator());
  if (nbytes() > 0) std::memcpy(t.raw(), raw(), nbytes());
  return t;
}

Tensor tensor_from_bytes(DataType dtype, Shape shape, std::string_view bytes, BufferAllocator& allocator) {
  Tensor t(dtype, std::move(shape), allocator);
  if (bytes.size() != t.nbytes()) {
    throw Error(ErrorCode::kInternal, std::to_string(bytes.size()) + " bytes given for a " + dtype_name(dtype) +
                                          " tensor of shape " + shape_string(t.shape()));
  }
  if (bytes.empty()) return t;
  if (dtype == DataType::kBool) {
    // Any byte other than 0 is true; storing it unchanged would make a bool with an invalid value.
    auto* out = reinterpret_cast<uint8_t*>(t.raw());
    for (size_t i = 0; i < bytes.size(); ++i) out[i] = bytes[i] != 0 ? 1 : 0;
  } else {
    std::memcpy(t.raw(), bytes.data(), bytes.size());
  }
  return t;
}

void Tensor::check_type(DataType wanted) const {
  if (wanted != dtype_) {
    throw Error(ErrorCode::kInternal, "tensor accessed as " + dtype_name(wanted) + " but holds " + dtype_name(dtype_));
  }
}

namespace {

/// Calls \p fn(const T* data) with the element pointer typed after \p t's dtype.
template <class Fn>
auto visit_values(const Tensor& t, Fn&& fn) {
  switch (t.dtype()) {
    case DataType::kFloat32: return fn(t.data<float>());
    case DataType::kFloat64: return fn(t.data<double>());
    case DataType::kInt8: return fn(t.data<int8_t>());
    case DataType::kUInt8: return fn(t.data<uint8_t>());
    case DataType::kInt16: return fn(t.data<int16_t>());
    case DataType::kUInt16: return fn(t.data<uint16_t>());
    case DataType::kInt32: return fn(t.data<int32_t>());
    case DataType::kUInt32: return fn(t.data<uint32_t>());
    case DataType::kInt64: return fn(t.data<int64_t>());
    case DataType::kUInt64: return fn(t.data<uint64_t>());
    case DataType::kBool: return fn(t.data<bool>());
    default: break;
  }
  throw Error(ErrorCode::kUnsupportedOp, "no element access for " + dtype_name(t.dtype()));
}

}  // namespace

std::vector<int64_t> Tensor::to_int64_vector() const {
  if (is_float(dtype_)) throw Error(ErrorCode::kInvalidModel, "expected an integer tensor, got " + dtype_name(dtype_));
  return visit_values(*this, [&](const auto* p) {
    std::vector<int64_t> out(static_cast<size_t>(numel()));
    for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<int64_t>(p[i]);
    return out;
  });
}

std::vector<float> Tensor::to_float_vector() const {
  std::vector<float> out(static_cast<size_t>(numel()));
  if (dtype_ == DataType::kFloat16 || dtype_ == DataType::kBFloat16) {
    const auto* p = reinterpret_cast<const uint16_t*>(raw());
    for (size_t i = 0; i < out.size(); ++i) {
      out[i] = dtype_ == DataType::kFloat16 ? half_to_float(p[i]) : bfloat16_to_float(p[i]);
    }
    return out;
  }
  return visit_values(*this, [&](const auto* p) {
    for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<float>(p[i]);
    return out;
  });
}

float half_to_float(uint16_t h) {
  uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1fu;
  uint32_t mant = h & 0x3ffu;
  uint32_t bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {  // subnormal: normalise the mantissa
      int e = -1;
      do {
        ++e;
        mant <<= 1;
      } while ((mant & 0x400u) == 0);
      bits = sign | static_cast<uint32_t>(127 - 15 - e) << 23 | (mant & 0x3ffu) << 13;
    }
  } else if (exp == 0x1f) {
    bits = sign | 0x7f800000u | mant << 13;
  } else {
    bits = sign | (exp + 127 - 15) << 23 | mant << 13;
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t float_to_half(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  uint32_t sign = (x >> 16) & 0x8000u;
  uint32_t abs = x & 0x7fffffffu;
  if (abs >= 0x7f800000u) return static_cast<uint16_t>(sign | 0x7c00u | (abs > 0x7f800000u ? 0x200u : 0));
  if (abs >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);  // rounds to >= 65520: inf
  if (abs < 0x38800000u) {                                               // subnormal or zero in half
    // Scale into the subnormal grid (units of 2^-24) and round to nearest even.
    float magnitude;
    std::memcpy(&magnitude, &abs, 4);
    float scaled = magnitude * 16777216.0f;  // 2^24, exact
    auto q = static_cast<uint32_t>(std::nearbyint(scaled));
    return static_cast<uint16_t>(sign | q);
  }
  uint32_t mant = abs & 0x7fffffu;
  uint32_t exp = (abs >> 23) - 127 + 15;
  uint32_t half = exp << 10 | mant >> 13;
  uint32_t rest = mant & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (half & 1u))) ++half;  // carry into the exponent is correct
  return static_cast<uint16_t>(sign | half);
}

float bfloat16_to_float(uint16_t b) {
  uint32_t bits = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t float_to_bfloat16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  if ((x & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((x >> 16) | 0x40u);  // quiet NaN
  x += 0x7fffu + ((x >> 16) & 1u);
  return static_cast<uint16_t>(x >> 16);
}

namespace {

template <class Out>
void cast_into(const Tensor& src, Out* out) {
  size_t n = static_cast<size_t>(src.numel());
  if (src.dtype() == DataType::kFloat16 || src.dtype() == DataType::kBFloat16) {
    std::vector<float> f = src.to_float_vector();
    for (size_t i = 0; i < n; ++i) {
      if constexpr (std::is_same_v<Out, bool>) out[i] = f[i] != 0.0f;
      else out[i] = static_cast<Out>(f[i]);
    }
    return;
  }
  visit_values(src, [&](const auto* p) {
    for (size_t i = 0; i < n; ++i) {
      if constexpr (std::is_same_v<Out, bool>) out[i] = p[i] != 0;
      else out[i] = static_cast<Out>(p[i]);
    }
    return 0;
  });
}

}  // namespace

Tensor cast_tensor(const Tensor& src, DataType dtype, BufferAllocator& allocator) {
  Tensor out(dtype, src.shape(), allocator);
  cast_tensor_into(src, out);
  return out;
}

void cast_tensor_into(const Tensor& src, Tensor& out) {
  const DataType dtype = out.dtype();
  size_t n = static_cast<size_t>(src.numel());
  if (dtype == src.dtype()) {
    if (n) std::memcpy(out.raw(), src.raw(), src.nbytes());
    return;
  }
  if (dtype == DataType::kFloat16 || dtype == DataType::kBFloat16) {
    std::vector<float> f = src.to_float_vector();
    auto* o = reinterpret_cast<uint16_t*>(out.raw());
    for (size_t i = 0; i < n; ++i) o[i] = dtype == DataType::kFloat16 ? float_to_half(f[i]) : float_to_bfloat16(f[i]);
    return;
  }
  switch (dtype) {
    case DataType::kFloat32: cast_into(src, out.data<float>()); break;
    case DataType::kFloat64: cast_into(src, out.data<double>()); break;
    case DataType::kInt8: cast_into(src, out.data<int8_t>()); break;
    case DataType::kUInt8: cast_into(src, out.data<uint8_t>()); break;
    case DataType::kInt16: cast_into(src, out.data<int16_t>()); break;
    case DataType::kUInt16: cast_into(src, out.data<uint16_t>()); break;
    case DataType::kInt32: cast_into(src, out.data<int32_t>()); break;
    case DataType::kUInt32: cast_into(src, out.data<uint32_t>()); break;
    case DataType::kInt64: cast_into(src, out.data<int64_t>()); break;
    case DataType::kUInt64: cast_into(src, out.data<uint64_t>()); break;
    case DataType::kBool: cast_into(src, out.data<bool>()); break;
    default: throw Error(ErrorCode::kUnsupportedOp, "cast to " + dtype_name(dtype) + " is not supported");
  }
}

}  // namespace ptqc
