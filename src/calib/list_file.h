#pragma once
/// \file
/// The calibration list file (dataset_info.image_list_file): one sample per line, one
/// whitespace-separated path per input in index order. Blank lines and lines whose first
/// non-blank character is '#' are skipped. Read line by line, never held in memory.

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

namespace ptqc {

/// One sample line.
struct ListSample {
  int64_t line = 0;                  ///< 1-based line number in the file
  std::vector<std::string> columns;  ///< the paths as written
};

class ListFile {
 public:
  /// Opens \p path (E19000 when it cannot be read); every sample line must have
  /// \p columns columns (E19030 naming the line otherwise). \p column_names names them in messages.
  ListFile(std::string path, std::vector<std::string> column_names);

  /// Reads the next sample into \p sample; false at the end of the file.
  bool next(ListSample& sample);
  /// Back to the first line.
  void rewind();

  /// "list.txt:12" for messages.
  std::string where(int64_t line) const;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::vector<std::string> column_names_;
  std::ifstream in_;
  int64_t line_ = 0;
};

}  // namespace ptqc
