#pragma once
/// \file
/// The --input_list file of ptqc-run and ptqc-compare: one sample per line, one path per
/// model input separated by spaces, relative to the list file's folder; blank lines skipped.

#include <string>
#include <vector>

namespace ptqc::cli {

/// The samples of \p path, each one path per input (resolved against the list's folder).
/// E19000 when the list cannot be read, E10001 naming "file:line" when a line does not
/// have \p num_inputs paths, E10004 when it has no sample.
std::vector<std::vector<std::string>> read_input_list(const std::string& path, size_t num_inputs);

}  // namespace ptqc::cli
