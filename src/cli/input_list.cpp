#include "cli/input_list.h"

#include <filesystem>
#include <sstream>

#include "ptqc/error.h"
#include "ptqc/file_io.h"

namespace ptqc::cli {

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

}  // namespace ptqc::cli
