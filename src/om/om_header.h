#pragma once
/// \file
/// The 256-byte ModelFileHeader: field offsets, the values ptqc writes, and the
/// byte-exact little-endian encoding (docs/om-format.md, "Header").

#include <cstdint>
#include <string>
#include <string_view>

#include "ptqc/om.h"

namespace ptqc {

inline constexpr uint32_t kOmMagic = 0x444F4D49;  ///< Bytes "IMOD" on disk (little-endian).
inline constexpr uint32_t kOmHeaderSize = 256;
inline constexpr uint32_t kOmVersion = 0x20000000;
inline constexpr uint32_t kOmIrVersion = 1;  ///< Version of proto/ptqc_om.proto's schema.
inline constexpr uint8_t kOmChecksumCheck = 0;  ///< Graph Engine's ModelCheckType::CHECK.

/// The 256 header bytes of \p header; text fields are cut to their size - 1 bytes and
/// NUL-padded, reserved bytes are zero.
std::string encode_om_header(const OmFileHeader& header);

/// The header fields of \p bytes, without judging them. \pre bytes.size() >= kOmHeaderSize.
OmFileHeader decode_om_header(std::string_view bytes);

}  // namespace ptqc
