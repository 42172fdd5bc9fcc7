// write_report_files: --report=DIR.
#include <filesystem>

#include "ptqc/compare.h"
#include "ptqc/file_io.h"

namespace ptqc {

void write_report_files(const std::string& dir, const CompareReport& report) {
  ensure_directory(dir);
  write_file_atomically((std::filesystem::path(dir) / "compare.json").string(), format_json_report(report));
  write_file_atomically((std::filesystem::path(dir) / "compare.html").string(), format_html_report(report));
}

}  // namespace ptqc
