#pragma once
/// \file
/// Running code that is not hardened against hostile input (ONNX's shape inference and
/// version converter) where a crash or a hang cannot take ptqc down: in a child process.

#include <functional>
#include <string>

namespace ptqc {

/// What a call in a child process came to.
struct IsolatedResult {
  enum class Outcome { kReturned, kCrashed, kTimedOut };
  Outcome outcome = Outcome::kReturned;
  std::string reply;  ///< what \p work returned (kReturned)
  int signal = 0;     ///< the signal that ended the child (kCrashed), 0 if it exited otherwise
};

/// Runs \p work in a forked child and passes the string it returns back through a pipe. A
/// child that dies (by a signal, or without a full reply) is kCrashed; one that does not
/// finish within \p timeout_seconds is killed: kTimedOut. Call it while the process has no
/// other busy threads (fork copies only the caller). E19000/E19999 when no child can be made.
IsolatedResult run_isolated(const std::function<std::string()>& work, int timeout_seconds);

}  // namespace ptqc
