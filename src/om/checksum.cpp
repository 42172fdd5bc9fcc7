#include "om/checksum.h"

#include <openssl/evp.h>

#include <memory>

#include "ptqc/error.h"
#include "ptqc/om.h"

namespace ptqc {

Sha256Digest sha256(std::string_view bytes) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  Sha256Digest digest{};
  unsigned int length = 0;
  const bool ok = ctx && EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) == 1 &&
                  EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) == 1 &&
                  EVP_DigestFinal_ex(ctx.get(), digest.data(), &length) == 1 && length == digest.size();
  if (!ok) throw Error(ErrorCode::kInternal, "OpenSSL could not compute a SHA-256 digest");
  return digest;
}

std::string hex_string(const uint8_t* data, size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * size);
  for (size_t i = 0; i < size; ++i) {
    hex += kHex[data[i] >> 4];
    hex += kHex[data[i] & 0xF];
  }
  return hex;
}

std::string sha256_hex(std::string_view bytes) {
  const Sha256Digest digest = sha256(bytes);
  return hex_string(digest.data(), digest.size());
}

}  // namespace ptqc
