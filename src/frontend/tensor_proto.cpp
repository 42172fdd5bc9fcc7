#include "frontend/tensor_proto.h"

#include <charconv>
#include <filesystem>

#include "ptqc/error.h"
#include "ptqc/file_io.h"

namespace ptqc {

namespace {

[[noreturn]] void bad_tensor(const std::string& what, const std::string& why) {
  throw Error(ErrorCode::kInvalidModel, what + ": " + why);
}

Shape dims_of(const onnx::TensorProto& proto, const std::string& what) {
  Shape shape;
  for (int64_t d : proto.dims()) {
    if (d < 0) bad_tensor(what, "negative dimension " + std::to_string(d));
    shape.push_back(d);
  }
  return shape;
}

/// A non-negative decimal integer of an external_data entry.
uint64_t external_number(const onnx::StringStringEntryProto& kv, const std::string& what) {
  const std::string& text = kv.value();
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    bad_tensor(what, "external_data '" + kv.key() + "' is not a non-negative integer: \"" + text + "\"");
  }
  return value;
}

/// The file an external-data location names, after checking that it cannot leave the
/// model's folder: a relative path without ".." that, with symbolic links resolved, still
/// lies inside the (resolved) model folder. Models are untrusted; without this a model could
/// copy any file the user can read (/etc/passwd, ../../secret) into its weights.
std::filesystem::path external_data_path(const std::string& location, const std::string& model_dir,
                                         const std::string& what) {
  namespace fs = std::filesystem;
  const fs::path relative(location);
  if (location.empty()) bad_tensor(what, "external data without a location");
  if (relative.is_absolute() || relative.has_root_name() || relative.has_root_directory()) {
    bad_tensor(what, "external data location \"" + location + "\" is an absolute path; it must be relative to the model's folder");
  }
  for (const auto& part : relative.lexically_normal()) {
    if (part == "..") bad_tensor(what, "external data location \"" + location + "\" leaves the model's folder");
  }
  std::error_code ec;
  const fs::path folder = fs::canonical(model_dir, ec);
  if (ec) throw Error(ErrorCode::kFileIo, what + ": cannot resolve the model's folder " + model_dir + ": " + ec.message());
  const fs::path file = fs::canonical(folder / relative, ec);
  if (ec) throw Error(ErrorCode::kFileIo, what + ": cannot open external data file " + (folder / relative).string() + ": " + ec.message());
  const fs::path inside = file.lexically_relative(folder);
  if (inside.empty() || *inside.begin() == "..") {
    bad_tensor(what, "external data location \"" + location + "\" resolves (through a symbolic link) to " + file.string() +
                         ", outside the model's folder " + folder.string());
  }
  return file;
}

/// Loads the bytes of an external-data tensor: keys location, offset, length (ONNX external
/// data spec). The range is checked against the file's size before anything is read.
std::string external_bytes(const onnx::TensorProto& proto, const std::string& model_dir, const std::string& what,
                           uint64_t expected) {
  std::string location;
  uint64_t offset = 0;
  uint64_t length = expected;
  for (const auto& kv : proto.external_data()) {
    if (kv.key() == "location") location = kv.value();
    else if (kv.key() == "offset") offset = external_number(kv, what);
    else if (kv.key() == "length") length = external_number(kv, what);
  }
  if (length != expected) {
    bad_tensor(what, "external data length " + std::to_string(length) + " does not match its shape " +
                         shape_string(Shape(proto.dims().begin(), proto.dims().end())) + ", which needs " +
                         std::to_string(expected) + " bytes");
  }
  const std::string path = external_data_path(location, model_dir, what).string();
  const std::string file = what + ": external data file";
  const uint64_t size = regular_file_size(path, file);
  if (offset > size || length > size - offset) {
    bad_tensor(what, "external data [offset " + std::to_string(offset) + ", length " + std::to_string(length) +
                         ") lies outside " + path + ", which has " + std::to_string(size) + " bytes");
  }
  return read_file_range(path, offset, length, file);
}

/// A tensor from a repeated proto field, each element converted to T; the field's length is
/// checked against the shape before the tensor is allocated.
template <class T, class Field>
Tensor field_tensor(const Field& field, DataType dtype, const Shape& shape, const std::string& what) {
  const int64_t numel = shape_numel(shape);
  if (static_cast<int64_t>(field.size()) != numel) {
    bad_tensor(what, "holds " + std::to_string(field.size()) + " values, shape " + shape_string(shape) + " needs " +
                         std::to_string(numel));
  }
  Tensor out(dtype, shape, default_allocator());
  T* dst = reinterpret_cast<T*>(out.raw());
  for (int i = 0; i < field.size(); ++i) dst[i] = static_cast<T>(field.Get(i));
  return out;
}

Tensor typed_fields_tensor(const onnx::TensorProto& proto, DataType dtype, const Shape& shape, const std::string& what) {
  switch (dtype) {
    case DataType::kFloat32: return field_tensor<float>(proto.float_data(), dtype, shape, what);
    case DataType::kFloat64: return field_tensor<double>(proto.double_data(), dtype, shape, what);
    case DataType::kInt64: return field_tensor<int64_t>(proto.int64_data(), dtype, shape, what);
    case DataType::kUInt32: return field_tensor<uint32_t>(proto.uint64_data(), dtype, shape, what);
    case DataType::kUInt64: return field_tensor<uint64_t>(proto.uint64_data(), dtype, shape, what);
    case DataType::kInt32: return field_tensor<int32_t>(proto.int32_data(), dtype, shape, what);
    case DataType::kInt16: return field_tensor<int16_t>(proto.int32_data(), dtype, shape, what);
    case DataType::kInt8: return field_tensor<int8_t>(proto.int32_data(), dtype, shape, what);
    case DataType::kUInt8: return field_tensor<uint8_t>(proto.int32_data(), dtype, shape, what);
    case DataType::kBool: return field_tensor<bool>(proto.int32_data(), dtype, shape, what);
    // float16/bfloat16/uint16 keep their 16 bits in int32_data.
    case DataType::kUInt16:
    case DataType::kFloat16:
    case DataType::kBFloat16: return field_tensor<uint16_t>(proto.int32_data(), dtype, shape, what);
    default: break;
  }
  bad_tensor(what, "has no data for element type " + dtype_name(dtype));
}

}  // namespace

Tensor tensor_from_proto(const onnx::TensorProto& proto, const std::string& model_dir, const std::string& what) {
  if (!is_supported_dtype(proto.data_type())) {
    throw Error(ErrorCode::kUnsupportedOp, what + ": element type " + std::to_string(proto.data_type()) +
                                               " (ONNX TensorProto.DataType) is not supported");
  }
  if (proto.has_segment()) throw Error(ErrorCode::kUnsupportedOp, what + ": segmented tensors are not supported");
  const auto dtype = static_cast<DataType>(proto.data_type());
  const Shape shape = dims_of(proto, what);
  // Sized from untrusted dims: checked (overflow, memory limit) before anything is read or allocated.
  const uint64_t nbytes = checked_tensor_bytes(shape, dtype, what);
  const bool external = proto.data_location() == onnx::TensorProto::EXTERNAL;
  if (external || proto.has_raw_data()) {
    if (!external && proto.raw_data().size() != nbytes) {
      bad_tensor(what, "holds " + std::to_string(proto.raw_data().size()) + " bytes, shape " + shape_string(shape) +
                           " of " + dtype_name(dtype) + " needs " + std::to_string(nbytes));
    }
    const std::string external_data = external ? external_bytes(proto, model_dir, what, nbytes) : std::string();
    const std::string& bytes = external ? external_data : proto.raw_data();
    return tensor_from_bytes(dtype, shape, bytes);  // ONNX raw data is little-endian
  }
  return typed_fields_tensor(proto, dtype, shape, what);
}

}  // namespace ptqc
