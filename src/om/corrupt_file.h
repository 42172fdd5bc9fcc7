#pragma once
/// \file
/// The one way the .om reader reports a malformed file.

#include <string>

#include "ptqc/error.h"

namespace ptqc {

/// Throws E19020 "<origin>: <problem>" for an .om file that fails a check.
[[noreturn]] inline void throw_corrupt_om(const std::string& origin, const std::string& problem) {
  throw Error(ErrorCode::kInvalidModel, origin + ": " + problem);
}

}  // namespace ptqc
