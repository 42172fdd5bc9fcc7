#pragma once
/// \file
/// Byte-level helpers of the .om layout: little-endian integers at fixed offsets
/// (independent of the host's byte order).

#include <cstdint>
#include <string>
#include <string_view>

#include "ptqc/tensor.h"

namespace ptqc::om_layout {

/// Writes \p value little-endian into out[at .. at+4). \pre out.size() >= at + 4.
inline void put_u32(std::string& out, size_t at, uint32_t value) {
  for (int i = 0; i < 4; ++i) out[at + i] = static_cast<char>((value >> (8 * i)) & 0xFF);
}

/// The little-endian uint32 at bytes[at .. at+4). \pre bytes.size() >= at + 4.
inline uint32_t get_u32(std::string_view bytes, size_t at) {
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i) value |= static_cast<uint32_t>(static_cast<uint8_t>(bytes[at + i])) << (8 * i);
  return value;
}

/// \p value rounded up to a multiple of \p alignment (a power of two).
inline uint64_t align_up(uint64_t value, uint64_t alignment) { return (value + alignment - 1) & ~(alignment - 1); }

}  // namespace ptqc::om_layout
