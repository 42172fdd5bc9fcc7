#pragma once
/// \file
/// SHA-256 (FIPS 180-4) through OpenSSL's libcrypto: the .om body checksum.

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

}  // namespace ptqc
