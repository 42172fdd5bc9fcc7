#include "om/om_header.h"

#include <algorithm>

#include "om/byte_layout.h"

namespace ptqc {

namespace {

// Byte offsets of Graph Engine's ModelFileHeader fields (packed, no padding).
constexpr size_t kMagicAt = 0;
constexpr size_t kHeadsizeAt = 4;
constexpr size_t kVersionAt = 8;
constexpr size_t kChecksumAt = 12;  // uint8_t[64]
constexpr size_t kLengthAt = 76;
constexpr size_t kIsEncryptAt = 80;
constexpr size_t kIsChecksumAt = 81;
constexpr size_t kModeltypeAt = 82;
constexpr size_t kGenmodeAt = 83;
constexpr size_t kNameAt = 84;  // uint8_t[32]
constexpr size_t kNameSize = 32;
constexpr size_t kOpsAt = 116;
constexpr size_t kUserDefineInfoAt = 120;  // uint8_t[32]
constexpr size_t kUserDefineInfoSize = 32;
constexpr size_t kOmIrVersionAt = 152;
constexpr size_t kModelNumAt = 156;
constexpr size_t kPlatformVersionAt = 160;  // uint8_t[20]
constexpr size_t kPlatformVersionSize = 20;
constexpr size_t kPlatformTypeAt = 180;  // then reserved[75] up to byte 256
static_assert(kPlatformTypeAt + 1 + 75 == kOmHeaderSize);

/// Copies at most size - 1 bytes of \p text to out[at ..]; the rest of the field stays NUL.
void put_text(std::string& out, size_t at, size_t size, const std::string& text) {
  std::copy_n(text.begin(), std::min(text.size(), size - 1), out.begin() + static_cast<std::ptrdiff_t>(at));
}

/// The field's bytes up to its first NUL.
std::string get_text(std::string_view bytes, size_t at, size_t size) {
  const std::string_view field = bytes.substr(at, size);
  return std::string(field.substr(0, field.find('\0')));
}

}  // namespace

std::string encode_om_header(const OmFileHeader& header) {
  using om_layout::put_u32;
  std::string out(kOmHeaderSize, '\0');
  put_u32(out, kMagicAt, header.magic);
  put_u32(out, kHeadsizeAt, header.headsize);
  put_u32(out, kVersionAt, header.version);
  std::copy(header.checksum.begin(), header.checksum.end(), out.begin() + kChecksumAt);
  put_u32(out, kLengthAt, header.length);
  out[kIsEncryptAt] = static_cast<char>(header.is_encrypt);
  out[kIsChecksumAt] = static_cast<char>(header.is_checksum);
  out[kModeltypeAt] = static_cast<char>(header.modeltype);
  out[kGenmodeAt] = static_cast<char>(header.genmode);
  put_text(out, kNameAt, kNameSize, header.name);
  put_u32(out, kOpsAt, header.ops);
  put_text(out, kUserDefineInfoAt, kUserDefineInfoSize, header.userdefineinfo);
  put_u32(out, kOmIrVersionAt, header.om_ir_version);
  put_u32(out, kModelNumAt, header.model_num);
  put_text(out, kPlatformVersionAt, kPlatformVersionSize, header.platform_version);
  out[kPlatformTypeAt] = static_cast<char>(header.platform_type);
  return out;
}

OmFileHeader decode_om_header(std::string_view bytes) {
  using om_layout::get_u32;
  OmFileHeader h;
  h.magic = get_u32(bytes, kMagicAt);
  h.headsize = get_u32(bytes, kHeadsizeAt);
  h.version = get_u32(bytes, kVersionAt);
  std::copy_n(bytes.begin() + kChecksumAt, h.checksum.size(), h.checksum.begin());
  h.length = get_u32(bytes, kLengthAt);
  h.is_encrypt = static_cast<uint8_t>(bytes[kIsEncryptAt]);
  h.is_checksum = static_cast<uint8_t>(bytes[kIsChecksumAt]);
  h.modeltype = static_cast<uint8_t>(bytes[kModeltypeAt]);
  h.genmode = static_cast<uint8_t>(bytes[kGenmodeAt]);
  h.name = get_text(bytes, kNameAt, kNameSize);
  h.ops = get_u32(bytes, kOpsAt);
  h.userdefineinfo = get_text(bytes, kUserDefineInfoAt, kUserDefineInfoSize);
  h.om_ir_version = get_u32(bytes, kOmIrVersionAt);
  h.model_num = get_u32(bytes, kModelNumAt);
  h.platform_version = get_text(bytes, kPlatformVersionAt, kPlatformVersionSize);
  h.platform_type = static_cast<uint8_t>(bytes[kPlatformTypeAt]);
  return h;
}

}  // namespace ptqc
