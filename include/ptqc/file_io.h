#pragma once
/// \file
/// File input and output with the checks untrusted paths need. Reading: every file ptqc
/// reads is first checked to be a regular file (not a directory, FIFO or device, which
/// would hang or never end) of a plausible size, before a byte is read. Writing: data goes
/// to a temporary file in the destination folder, is flushed, then renamed over the target,
/// so no half-written file is ever left behind.

#include <cstdint>
#include <string>
#include <string_view>

namespace ptqc {

/// Upper bounds for files read whole (docs/reliability.md).
inline constexpr uint64_t kMaxModelFileBytes = (uint64_t{2} << 30) - 1;  ///< protobuf's limit for one message (2 GiB)
inline constexpr uint64_t kMaxTextFileBytes = uint64_t{256} << 20;  ///< configs, list files, records (256 MiB)
inline constexpr uint64_t kMaxImageFileBytes = uint64_t{256} << 20;  ///< encoded calibration images (256 MiB)

/// The size of \p path after checking that it exists and is a regular file (symbolic links
/// followed). E19000 naming \p what ("quantization config", "input file", ...) otherwise.
uint64_t regular_file_size(const std::string& path, const std::string& what);

/// The whole content of the regular file \p path, which may have at most \p max_bytes bytes.
/// E19000 naming \p what when it is missing, not a regular file, larger than \p max_bytes
/// (checked before reading), or shorter than its size when read.
std::string read_file_bytes(const std::string& path, uint64_t max_bytes, const std::string& what);

/// \p bytes [offset, offset + length) of the regular file \p path, checked against its size
/// before reading (E19000 naming \p what).
std::string read_file_range(const std::string& path, uint64_t offset, uint64_t length, const std::string& what);

/// Writes \p bytes to \p path atomically (temp file + rename). On failure the
/// temp file is removed, \p path is untouched, and E19000 is thrown.
void write_file_atomically(const std::string& path, std::string_view bytes);

/// Creates \p dir and its parents if needed (E19000 on failure).
void ensure_directory(const std::string& dir);

}  // namespace ptqc
