#pragma once
/// \file
/// File output that never leaves a half-written file: data goes to a temporary
/// file in the destination folder, is flushed, then renamed over the target.

#include <string>
#include <string_view>

namespace ptqc {

/// Writes \p bytes to \p path atomically (temp file + rename). On failure the
/// temp file is removed, \p path is untouched, and E19000 is thrown.
void write_file_atomically(const std::string& path, std::string_view bytes);

/// Creates \p dir and its parents if needed (E19000 on failure).
void ensure_directory(const std::string& dir);

}  // namespace ptqc
