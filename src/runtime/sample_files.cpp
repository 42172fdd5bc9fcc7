#include "ptqc/sample_files.h"

#include <filesystem>
#include <sstream>

#include "ptqc/error.h"
#include "ptqc/file_io.h"

namespace ptqc {

std::vector<std::vector<std::string>> read_input_list(const std::string& path, size_t num_inputs) {
  std::istringstream in(read_file_bytes(path, kMaxTextFileBytes, "input list"));
  const std::filesystem::path base = std::filesystem::path(path).parent_path();
  std::vector<std::vector<std::string>> samples;
  std::string line;
  for (size_t line_no = 1; std::getline(in, line); ++line_no) {
    std::istringstream fields(line);
    std::vector<std::string> files;
    for (std::string f; fields >> f;) files.push_back((base / f).string());
    if (files.empty()) continue;
    if (files.size() != num_inputs) {
      throw Error(ErrorCode::kInvalidValue, path + ":" + std::to_string(line_no) + ": " + std::to_string(files.size()) +
                                                " files for a model with " + std::to_string(num_inputs) + " inputs");
    }
    samples.push_back(std::move(files));
  }
  if (samples.empty()) throw Error(ErrorCode::kEmptyValue, "input list " + path + " has no samples");
  return samples;
}


namespace {

/// The element type of the bytes in an input file: the declared type (float16 stays float16).
DataType file_dtype(const ValueInfo& info) {
  return info.declared_dtype != DataType::kUndefined ? info.declared_dtype : info.dtype;
}

/// Resolves \p info's shape for a file of \p bytes bytes.
Shape resolve_shape(const std::string& path, const ValueInfo& info, uint64_t bytes) {
  if (!info.has_shape) {
    throw Error(ErrorCode::kInvalidValue, "input '" + info.name + "' has no shape in the model: give it with --input_shape");
  }
  Shape shape = info.dims;
  int unknown = -1;
  Shape known_dims;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] >= 0) {
      known_dims.push_back(shape[i]);
    } else if (unknown >= 0) {
      throw Error(ErrorCode::kInvalidValue, "input '" + info.name + "' has several dynamic dims: bind them with --input_shape");
    } else {
      unknown = static_cast<int>(i);
    }
  }
  if (unknown >= 0) {
    const uint64_t row = checked_tensor_bytes(known_dims, file_dtype(info), "input '" + info.name + "'");
    if (row == 0 || bytes % row != 0 || bytes == 0) {
      throw Error(ErrorCode::kInvalidData, path + ": " + std::to_string(bytes) + " bytes is not a whole number of " +
                                               std::to_string(row) + "-byte rows of input '" + info.name + "'");
    }
    shape[static_cast<size_t>(unknown)] = static_cast<int64_t>(bytes / row);
  }
  return shape;
}

}  // namespace

Tensor read_input_file(const std::string& path, const ValueInfo& info) {
  const std::string what = "input file (for input '" + info.name + "')";
  const uint64_t size = regular_file_size(path, what);
  const Shape shape = resolve_shape(path, info, size);
  const uint64_t needed = checked_tensor_bytes(shape, file_dtype(info), "input '" + info.name + "'", ErrorCode::kInvalidData);
  if (size != needed) {
    throw Error(ErrorCode::kInvalidData, path + ": input '" + info.name + "' needs " + std::to_string(needed) +
                                             " bytes (" + shape_string(shape) + " " + dtype_name(file_dtype(info)) +
                                             "), the file has " + std::to_string(size));
  }
  const Tensor raw = tensor_from_bytes(file_dtype(info), shape, read_file_bytes(path, needed, what));
  return raw.dtype() == info.dtype ? raw : cast_tensor(raw, info.dtype);
}

}  // namespace ptqc
