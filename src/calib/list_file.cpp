#include "calib/list_file.h"

#include <cerrno>
#include <cstring>
#include <sstream>

#include "ptqc/error.h"
#include "ptqc/file_io.h"

namespace ptqc {

namespace {

/// \p path, after checking that it is a regular file of at most kMaxTextFileBytes
/// (a FIFO or /dev/zero would otherwise be read forever).
const std::string& checked_list_path(const std::string& path) {
  const uint64_t size = regular_file_size(path, "calibration list file");
  if (size > kMaxTextFileBytes) {
    throw Error(ErrorCode::kFileIo, "calibration list file " + path + " is " + std::to_string(size) +
                                        " bytes, more than the " + std::to_string(kMaxTextFileBytes) + " allowed");
  }
  return path;
}

}  // namespace

ListFile::ListFile(std::string path, std::vector<std::string> column_names)
    : path_(std::move(path)), column_names_(std::move(column_names)), in_(checked_list_path(path_)) {
  if (!in_) throw Error(ErrorCode::kFileIo, "cannot read calibration list file " + path_ + ": " + std::strerror(errno));
}

bool ListFile::next(ListSample& sample) {
  std::string text;
  while (std::getline(in_, text)) {
    ++line_;
    std::istringstream words(text);
    std::vector<std::string> columns;
    for (std::string word; words >> word;) columns.push_back(word);
    if (columns.empty() || columns.front().starts_with('#')) continue;
    if (columns.size() != column_names_.size()) {
      std::string names;
      for (const std::string& name : column_names_) names += " " + name;
      throw Error(ErrorCode::kInvalidData,
                  where(line_) + ": " + std::to_string(columns.size()) + " column(s), expected " +
                      std::to_string(column_names_.size()) +
                      " (one path per model_info.input_tensor_info entry, in index order:" + names + ")");
    }
    sample.line = line_;
    sample.columns = std::move(columns);
    return true;
  }
  if (in_.bad()) throw Error(ErrorCode::kFileIo, "cannot read calibration list file " + path_);
  return false;
}

void ListFile::rewind() {
  in_.clear();
  in_.seekg(0);
  line_ = 0;
}

std::string ListFile::where(int64_t line) const { return path_ + ":" + std::to_string(line); }

}  // namespace ptqc
