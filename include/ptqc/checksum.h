#pragma once
/// \file
/// SHA-256 (FIPS 180-4) through OpenSSL's libcrypto: the .om body checksum, the source
/// model's hash, and the calibration data's fingerprint.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace ptqc {

using Sha256Digest = std::array<uint8_t, 32>;

/// The SHA-256 digest of \p bytes (E19999 if libcrypto fails, which it does not for memory input).
Sha256Digest sha256(std::string_view bytes);

/// \p size bytes from \p data as lower-case hex, two digits per byte.
std::string hex_string(const uint8_t* data, size_t size);

/// Lower-case hex SHA-256 of \p bytes (for OmMetadata::source_sha256).
std::string sha256_hex(std::string_view bytes);

/// A SHA-256 over data given in pieces (a digest of many files without holding them).
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;
  void update(std::string_view bytes);
  /// The digest of everything given; the stream is done after it (or after hex()).
  Sha256Digest digest();
  /// digest() as lower-case hex.
  std::string hex();

 private:
  struct Context;
  Context* context_;
};

}  // namespace ptqc
