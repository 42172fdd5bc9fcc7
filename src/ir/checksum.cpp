#include "ptqc/checksum.h"

#include <openssl/evp.h>

#include <memory>

#include "ptqc/error.h"

namespace ptqc {

namespace {

[[noreturn]] void openssl_failed() { throw Error(ErrorCode::kInternal, "OpenSSL could not compute a SHA-256 digest"); }

}  // namespace

struct Sha256Stream::Context {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
};

Sha256Stream::Sha256Stream() : context_(new Context) {
  if (!context_->md || EVP_DigestInit_ex(context_->md.get(), EVP_sha256(), nullptr) != 1) {
    delete context_;
    openssl_failed();
  }
}

Sha256Stream::~Sha256Stream() { delete context_; }

void Sha256Stream::update(std::string_view bytes) {
  if (EVP_DigestUpdate(context_->md.get(), bytes.data(), bytes.size()) != 1) openssl_failed();
}

Sha256Digest Sha256Stream::digest() {
  Sha256Digest digest{};
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(context_->md.get(), digest.data(), &length) != 1 || length != digest.size()) openssl_failed();
  return digest;
}

std::string Sha256Stream::hex() {
  const Sha256Digest d = digest();
  return hex_string(d.data(), d.size());
}

Sha256Digest sha256(std::string_view bytes) {
  Sha256Stream stream;
  stream.update(bytes);
  return stream.digest();
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
