#include "calib/sample_reader.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <optional>
#include <sstream>

#include "calib/config_vocabulary.h"
#include "calib/image_loader.h"
#include "ptqc/error.h"
#include "ptqc/file_io.h"

namespace ptqc {

namespace {

/// A raw HWC uint8 image rather than an encoded one: the ".bin" extension (any case).
bool is_raw_image(const std::string& file) {
  std::string ext = std::filesystem::path(file).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".bin";
}

/// The size a raw sample file must have, and what it holds (for messages); nullopt for encoded images.
std::optional<std::pair<size_t, std::string>> raw_file_layout(const InputBinding& binding, const std::string& file) {
  if (binding.info.input_type == InputType::kData) {
    return std::pair{binding.data_file_bytes(), shape_string(binding.sample_shape) + " " +
                                                    choice_name(data_type_choices(), binding.info.output_data_type)};
  }
  if (!is_raw_image(file)) return std::nullopt;
  return std::pair{static_cast<size_t>(binding.height * binding.width * binding.channels),
                   "raw HWC uint8 " + std::to_string(binding.height) + "x" + std::to_string(binding.width) + "x" +
                       std::to_string(binding.channels)};
}

std::string describe(const InputBinding& binding, const std::string& file, const std::string& where) {
  return where + ": " + file + " (input '" + binding.info.input_name + "')";
}

void check_size(const InputBinding& binding, const std::string& file, const std::string& where, uint64_t found) {
  const auto layout = raw_file_layout(binding, file);
  if (layout && layout->first != found) {
    throw Error(ErrorCode::kInvalidData, describe(binding, file, where) + ": expected " +
                                             std::to_string(layout->first) + " bytes (" + layout->second +
                                             "), the file has " + std::to_string(found));
  }
}

/// The bytes of a sample file: a regular file whose size is checked before it is read.
std::string read_bytes(const InputBinding& binding, const std::string& file, const std::string& where) {
  const std::string what = where + ": sample for input '" + binding.info.input_name + "'";
  check_size(binding, file, where, regular_file_size(file, what));
  return read_file_bytes(file, kMaxImageFileBytes, what);
}

/// The first element of a float tensor that is NaN or +-Inf, as {index, value}.
std::optional<std::pair<int64_t, double>> first_non_finite(const Tensor& t) {
  const int64_t n = t.numel();
  auto scan = [n](auto&& value_at) -> std::optional<std::pair<int64_t, double>> {
    for (int64_t i = 0; i < n; ++i) {
      const double v = value_at(i);
      if (!std::isfinite(v)) return std::pair{i, v};
    }
    return std::nullopt;
  };
  const auto* bits16 = reinterpret_cast<const uint16_t*>(t.raw());
  switch (t.dtype()) {
    case DataType::kFloat32:
      return scan([&](int64_t i) { return double{t.data<float>()[i]}; });
    case DataType::kFloat64:
      return scan([&](int64_t i) { return t.data<double>()[i]; });
    case DataType::kFloat16:
      return scan([&](int64_t i) { return double{half_to_float(bits16[i])}; });
    case DataType::kBFloat16:
      return scan([&](int64_t i) { return double{bfloat16_to_float(bits16[i])}; });
    default:
      return std::nullopt;
  }
}

void check_finite(const Tensor& t, const InputBinding& binding, const std::string& file, const std::string& where,
                  const std::string& stage) {
  if (const auto bad = first_non_finite(t)) {
    std::ostringstream value;
    value << bad->second;
    throw Error(ErrorCode::kInvalidData, describe(binding, file, where) + ": element " + std::to_string(bad->first) +
                                             " is " + value.str() + " " + stage + " (calibration data must be finite)");
  }
}

/// \p t converted to the graph input's dtype; a float result must still be finite (a value can overflow to Inf).
Tensor to_graph_dtype(const Tensor& t, const InputBinding& binding, const std::string& file, const std::string& where) {
  if (t.dtype() == binding.graph_dtype) return t;
  Tensor converted = cast_tensor(t, binding.graph_dtype);
  check_finite(converted, binding, file, where, "after conversion to the model's " + dtype_name(binding.graph_dtype));
  return converted;
}

/// round_half_even(v) saturated to T's range.
template <class T>
void round_saturate(std::span<const float> values, T* out) {
  constexpr double lo = static_cast<double>(std::numeric_limits<T>::lowest());
  constexpr double hi = static_cast<double>(std::numeric_limits<T>::max());
  for (size_t i = 0; i < values.size(); ++i) {
    out[i] = static_cast<T>(std::clamp(std::nearbyint(double{values[i]}), lo, hi));
  }
}

/// Normalized image values in output_data_type: FP32 as they are, FP16 rounded to nearest even,
/// integer types rounded half to even and saturated.
Tensor to_output_data_type(const Tensor& values, DataType dtype) {
  if (dtype == DataType::kFloat32) return values;
  if (dtype == DataType::kFloat16) return cast_tensor(values, dtype);
  Tensor out(dtype, values.shape());
  const std::span<const float> v = values.values<float>();
  switch (dtype) {
    case DataType::kInt8:
      round_saturate(v, out.data<int8_t>());
      break;
    case DataType::kUInt8:
      round_saturate(v, out.data<uint8_t>());
      break;
    case DataType::kInt32:
      round_saturate(v, out.data<int32_t>());
      break;
    default:
      round_saturate(v, out.data<int64_t>());
      break;
  }
  return out;
}

Tensor read_data_sample(const InputBinding& binding, const std::string& file, const std::string& where) {
  const Tensor raw = tensor_from_bytes(binding.info.output_data_type, binding.sample_shape, read_bytes(binding, file, where));
  check_finite(raw, binding, file, where, "in the file");
  return to_graph_dtype(raw, binding, file, where);
}

Tensor read_image_sample(const InputBinding& binding, const std::string& file, const std::string& where) {
  const std::string bytes = read_bytes(binding, file, where);
  const Image image = is_raw_image(file)
                          ? raw_hwc_image(bytes, binding.height, binding.width, binding.channels)
                          : resize_bilinear(decode_image(bytes, binding.channels, describe(binding, file, where)),
                                            binding.height, binding.width);
  Tensor normalized(DataType::kFloat32, binding.sample_shape);
  write_normalized(image, binding.info.mean, binding.info.std, binding.info.net_format, normalized.data<float>());
  check_finite(normalized, binding, file, where, "after normalization");
  const Tensor typed = to_output_data_type(normalized, binding.info.output_data_type);
  if (binding.info.output_data_type == DataType::kFloat16) {
    check_finite(typed, binding, file, where, "after rounding to FP16");
  }
  return to_graph_dtype(typed, binding, file, where);
}

}  // namespace

void check_sample_file(const InputBinding& binding, const std::string& file, const std::string& where) {
  check_size(binding, file, where, regular_file_size(file, where + ": sample for input '" + binding.info.input_name + "'"));
}

Tensor read_sample(const InputBinding& binding, const std::string& file, const std::string& where) {
  return binding.info.input_type == InputType::kData ? read_data_sample(binding, file, where)
                                                     : read_image_sample(binding, file, where);
}

}  // namespace ptqc
