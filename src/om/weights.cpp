#include "om/weights.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <optional>
#include <span>
#include <vector>

#include "om/byte_layout.h"
#include "om/corrupt_file.h"

namespace ptqc {

// Tensor buffers hold host-order elements; the format is little-endian, so a memcpy
// is the encoding only on little-endian hosts (the only ones ptqc targets).
static_assert(std::endian::native == std::endian::little, "the .om weight encoding assumes a little-endian host");

namespace {

/// \p values as FP16 (round to nearest even), or nullopt when a finite value is beyond
/// FP16's range and would become infinity.
std::optional<std::vector<uint16_t>> to_fp16_if_in_range(std::span<const float> values) {
  std::vector<uint16_t> half(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    half[i] = float_to_half(values[i]);
    const bool overflowed = (half[i] & 0x7FFF) == 0x7C00 && std::isfinite(values[i]);
    if (overflowed) return std::nullopt;
  }
  return half;
}

}  // namespace

proto::WeightRef WeightsWriter::append(const Tensor& tensor, bool allow_fp16, const std::string& what) {
  if (tensor.empty()) throw Error(ErrorCode::kInvalidModel, what + " has no element type");
  const void* data = tensor.raw();
  size_t size = tensor.nbytes();
  DataType stored = tensor.dtype();
  std::optional<std::vector<uint16_t>> half;
  if (float_as_fp16_ && allow_fp16 && tensor.dtype() == DataType::kFloat32) {
    half = to_fp16_if_in_range(tensor.values<float>());
    if (half) {
      data = half->data();
      size = half->size() * sizeof(uint16_t);
      stored = DataType::kFloat16;
    }
  }
  const size_t offset = om_layout::align_up(bytes_.size(), kOmAlignment);
  bytes_.resize(offset, '\0');
  bytes_.append(static_cast<const char*>(data), size);

  proto::WeightRef ref;
  ref.set_offset(offset);
  ref.set_size(size);
  ref.set_dtype(static_cast<int32_t>(tensor.dtype()));
  ref.set_stored_dtype(static_cast<int32_t>(stored));
  for (int64_t d : tensor.shape()) ref.add_dims(d);
  return ref;
}

Tensor read_weight(const proto::WeightRef& ref, std::string_view weights, const std::string& origin,
                   const std::string& what) {
  if (!is_supported_dtype(ref.dtype())) {
    throw_corrupt_om(origin, what + " has the unknown element type " + std::to_string(ref.dtype()));
  }
  const auto dtype = static_cast<DataType>(ref.dtype());
  const auto stored = static_cast<DataType>(ref.stored_dtype());
  const bool fp16_stored = dtype == DataType::kFloat32 && stored == DataType::kFloat16;
  if (stored != dtype && !fp16_stored) {
    throw_corrupt_om(origin, what + " is a " + dtype_name(dtype) + " tensor stored as element type " +
                                 std::to_string(ref.stored_dtype()));
  }
  const Shape dims(ref.dims().begin(), ref.dims().end());
  const std::optional<uint64_t> bytes_needed = tensor_bytes_within_limit(dims, stored);
  if (!bytes_needed) {
    throw_corrupt_om(origin, what + " has the invalid shape " + shape_string(dims) +
                                 " (a negative dim, or more elements or bytes than ptqc allows)");
  }
  const uint64_t expected = *bytes_needed;
  if (expected != ref.size()) {
    throw_corrupt_om(origin, what + " is " + std::to_string(ref.size()) + " bytes, but " + dtype_name(stored) + " " +
                                 shape_string(dims) + " needs " + std::to_string(expected));
  }
  if (ref.offset() % kOmAlignment != 0) {
    throw_corrupt_om(origin, what + " starts at offset " + std::to_string(ref.offset()) +
                                 " of WEIGHTS_DATA, which is not a multiple of " + std::to_string(kOmAlignment));
  }
  if (ref.offset() > weights.size() || ref.size() > weights.size() - ref.offset()) {
    throw_corrupt_om(origin, what + " at [" + std::to_string(ref.offset()) + ", +" + std::to_string(ref.size()) +
                                 ") lies outside WEIGHTS_DATA (" + std::to_string(weights.size()) + " bytes)");
  }
  const std::string_view bytes = weights.substr(ref.offset(), ref.size());
  if (!fp16_stored) return tensor_from_bytes(dtype, dims, bytes);
  Tensor tensor(dtype, dims);
  float* out = tensor.data<float>();
  for (int64_t i = 0; i < tensor.numel(); ++i) {
    uint16_t h;
    std::memcpy(&h, bytes.data() + 2 * i, sizeof h);
    out[i] = half_to_float(h);
  }
  return tensor;
}

OmWeight describe_weight(const proto::WeightRef& ref, const std::string& owner) {
  return OmWeight{owner,
                  static_cast<DataType>(ref.dtype()),
                  static_cast<DataType>(ref.stored_dtype()),
                  Shape(ref.dims().begin(), ref.dims().end()),
                  ref.offset(),
                  ref.size()};
}

}  // namespace ptqc
