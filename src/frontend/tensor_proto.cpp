#include "frontend/tensor_proto.h"

#include <cstring>
#include <filesystem>
#include <fstream>

#include "ptqc/error.h"

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

/// Loads the bytes of an external-data tensor: keys location, offset, length
/// (ONNX external data spec), location relative to the model's folder.
std::string external_bytes(const onnx::TensorProto& proto, const std::string& model_dir, const std::string& what,
                           size_t expected) {
  std::string location;
  int64_t offset = 0;
  int64_t length = -1;
  for (const auto& kv : proto.external_data()) {
    try {
      if (kv.key() == "location") location = kv.value();
      else if (kv.key() == "offset") offset = std::stoll(kv.value());
      else if (kv.key() == "length") length = std::stoll(kv.value());
    } catch (const std::exception&) {
      bad_tensor(what, "external_data '" + kv.key() + "' is not a number: " + kv.value());
    }
  }
  if (location.empty()) bad_tensor(what, "external data without a location");
  const std::filesystem::path path = std::filesystem::path(model_dir) / location;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kFileIo, what + ": cannot open external data file " + path.string());
  in.seekg(0, std::ios::end);
  const auto file_size = static_cast<int64_t>(in.tellg());
  const int64_t want = length >= 0 ? length : static_cast<int64_t>(expected);
  if (offset < 0 || offset + want > file_size) {
    throw Error(ErrorCode::kInvalidModel, what + ": external data file " + path.string() + " has " +
                                              std::to_string(file_size) + " bytes, needs " +
                                              std::to_string(offset + want));
  }
  std::string bytes(static_cast<size_t>(want), '\0');
  in.seekg(offset);
  in.read(bytes.data(), want);
  return bytes;
}

/// Copies a repeated proto field into \p out converting each element to T.
template <class T, class Field>
void copy_field(const Field& field, Tensor& out, const std::string& what) {
  if (static_cast<int64_t>(field.size()) != out.numel()) {
    bad_tensor(what, "holds " + std::to_string(field.size()) + " values, shape " + shape_string(out.shape()) +
                         " needs " + std::to_string(out.numel()));
  }
  T* dst = reinterpret_cast<T*>(out.raw());
  for (int i = 0; i < field.size(); ++i) dst[i] = static_cast<T>(field.Get(i));
}

void copy_typed_fields(const onnx::TensorProto& proto, Tensor& out, const std::string& what) {
  switch (out.dtype()) {
    case DataType::kFloat32: copy_field<float>(proto.float_data(), out, what); return;
    case DataType::kFloat64: copy_field<double>(proto.double_data(), out, what); return;
    case DataType::kInt64: copy_field<int64_t>(proto.int64_data(), out, what); return;
    case DataType::kUInt32:
    case DataType::kUInt64:
      if (out.dtype() == DataType::kUInt32) copy_field<uint32_t>(proto.uint64_data(), out, what);
      else copy_field<uint64_t>(proto.uint64_data(), out, what);
      return;
    case DataType::kInt32: copy_field<int32_t>(proto.int32_data(), out, what); return;
    case DataType::kInt16: copy_field<int16_t>(proto.int32_data(), out, what); return;
    case DataType::kInt8: copy_field<int8_t>(proto.int32_data(), out, what); return;
    case DataType::kUInt8: copy_field<uint8_t>(proto.int32_data(), out, what); return;
    case DataType::kBool: copy_field<bool>(proto.int32_data(), out, what); return;
    // float16/bfloat16/uint16 keep their 16 bits in int32_data.
    case DataType::kUInt16:
    case DataType::kFloat16:
    case DataType::kBFloat16: copy_field<uint16_t>(proto.int32_data(), out, what); return;
    default: break;
  }
  bad_tensor(what, "has no data for element type " + dtype_name(out.dtype()));
}

}  // namespace

std::string read_file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kFileIo, "cannot open " + path);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw Error(ErrorCode::kFileIo, "cannot read " + path);
  return bytes;
}

Tensor tensor_from_proto(const onnx::TensorProto& proto, const std::string& model_dir, const std::string& what) {
  if (!is_supported_dtype(proto.data_type())) {
    throw Error(ErrorCode::kUnsupportedOp, what + ": element type " + std::to_string(proto.data_type()) +
                                               " (ONNX TensorProto.DataType) is not supported");
  }
  if (proto.has_segment()) throw Error(ErrorCode::kUnsupportedOp, what + ": segmented tensors are not supported");
  Tensor out(static_cast<DataType>(proto.data_type()), dims_of(proto, what));
  const bool external = proto.data_location() == onnx::TensorProto::EXTERNAL;
  if (external || proto.has_raw_data()) {
    const std::string bytes = external ? external_bytes(proto, model_dir, what, out.nbytes()) : proto.raw_data();
    if (bytes.size() != out.nbytes()) {
      bad_tensor(what, "holds " + std::to_string(bytes.size()) + " bytes, shape " + shape_string(out.shape()) +
                           " of " + dtype_name(out.dtype()) + " needs " + std::to_string(out.nbytes()));
    }
    if (!bytes.empty()) std::memcpy(out.raw(), bytes.data(), bytes.size());  // ONNX raw data is little-endian
    return out;
  }
  copy_typed_fields(proto, out, what);
  return out;
}

}  // namespace ptqc
