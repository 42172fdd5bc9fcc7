#include <algorithm>
#include <charconv>

#include "ptqc/error.h"
#include "ptqc/onnx_frontend.h"

namespace ptqc {

namespace {

[[noreturn]] void bad_spec(const std::string& spec, const std::string& reason) {
  throw Error(ErrorCode::kInvalidValue,
              "Value [" + spec + "] for parameter [--input_shape] is invalid. Reason: " + reason +
                  " (expected \"name:n,c,h,w;name2:...\")");
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  size_t begin = 0;
  while (true) {
    size_t end = s.find(sep, begin);
    parts.push_back(s.substr(begin, end == std::string::npos ? std::string::npos : end - begin));
    if (end == std::string::npos) return parts;
    begin = end + 1;
  }
}

int64_t parse_dim(const std::string& spec, const std::string& name, const std::string& text) {
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) {
    bad_spec(spec, "dim '" + text + "' of input '" + name + "' is not an integer");
  }
  if (value == 0 || value < -1) bad_spec(spec, "dim " + text + " of input '" + name + "' must be positive (or -1 to keep it dynamic)");
  return value;
}

}  // namespace

InputShapes parse_input_shape(const std::string& spec) {
  if (spec.empty()) throw Error(ErrorCode::kEmptyValue, "Value for parameter [--input_shape] is empty");
  InputShapes shapes;
  for (const std::string& entry : split(spec, ';')) {
    if (entry.empty()) continue;  // tolerate a trailing ';'
    // The name may itself contain ':' (e.g. "x:0" in tf2onnx models): the dims follow the last one.
    const size_t colon = entry.rfind(':');
    if (colon == std::string::npos || colon == 0) bad_spec(spec, "entry '" + entry + "' has no 'name:' prefix");
    const std::string name = entry.substr(0, colon);
    const std::string dims_text = entry.substr(colon + 1);
    Shape dims;
    if (!dims_text.empty()) {
      for (const std::string& d : split(dims_text, ',')) dims.push_back(parse_dim(spec, name, d));
    }
    Shape bound = dims;
    std::replace(bound.begin(), bound.end(), int64_t{-1}, int64_t{1});
    try {
      shape_numel(bound);
    } catch (const Error&) {
      bad_spec(spec, "input '" + name + "' would have more elements than a 64-bit count holds");
    }
    if (!shapes.emplace(name, dims).second) bad_spec(spec, "input '" + name + "' is given twice");
  }
  if (shapes.empty()) bad_spec(spec, "no input is named");
  return shapes;
}

}  // namespace ptqc
