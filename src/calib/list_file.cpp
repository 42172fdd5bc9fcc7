#include "calib/list_file.h"

#include <cerrno>
#include <cstring>
#include <sstream>

#include "ptqc/error.h"

namespace ptqc {

ListFile::ListFile(std::string path, std::vector<std::string> column_names)
    : path_(std::move(path)), column_names_(std::move(column_names)), in_(path_) {
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
