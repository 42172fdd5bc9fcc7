#pragma once
// What every fuzz target shares: quiet logging, a memory limit far below the fuzzer's RSS
// limit (so a hostile size is refused, not allocated), and the rule that only ptqc::Error may
// come out of ptqc for bad input. Any other exception, crash or sanitizer report is a bug.

#include <spdlog/spdlog.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "ptqc/error.h"
#include "ptqc/tensor.h"

namespace ptqc::fuzz {

inline void initialize() {
  spdlog::set_level(spdlog::level::off);
  set_max_tensor_bytes(uint64_t{64} << 20);
}

inline std::string_view bytes_of(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// Runs \p body; a coded ptqc::Error is the expected answer to bad input. E19999 (an
/// internal error: an unexpected exception inside ptqc) is a finding, as is any other exception.
template <class Body>
int expect_only_coded_errors(Body&& body) {
  try {
    body();
  } catch (const Error& e) {
    if (e.code() == ErrorCode::kInternal) {
      std::fprintf(stderr, "internal error on this input: %s\n", e.what());
      std::abort();
    }
  }
  return 0;
}

}  // namespace ptqc::fuzz
