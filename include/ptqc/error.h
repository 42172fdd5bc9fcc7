#pragma once
/// \file
/// The single error type of ptqc. Every failure that a user can cause (bad flag,
/// corrupt model, unsupported op, bad data file) is reported as a ptqc::Error
/// carrying an ATC-style code, so scripts can grep one stable line.

#include <stdexcept>
#include <string>
#include <string_view>

namespace ptqc {

/// ATC-compatible error codes (brief section 1) plus the few ptqc adds.
enum class ErrorCode {
  kInvalidValue,     ///< E10001: a parameter value is invalid.
  kEmptyValue,       ///< E10004: a parameter is empty.
  kMissingFlag,      ///< E10007: a required flag is missing.
  kBadLogLevel,      ///< E10010: --log has an unknown level.
  kUnknownOutNode,   ///< E10016: --out_nodes names a node that does not exist.
  kFileIo,           ///< E19000: a file cannot be opened, read or written.
  kUnsupportedOp,    ///< E19010: an op (or op form) is not supported.
  kInvalidModel,     ///< E19020: the model is malformed (parse error, dangling value, cycle, bad attribute).
  kInvalidData,      ///< E19030: an input or calibration data file does not match the model.
  kInternal,         ///< E19999: a bug in ptqc.
};

/// The "E10001"-style string of \p code.
std::string_view error_code_string(ErrorCode code);

/// The process exit status the command-line tools use for \p code (never 0).
int exit_status(ErrorCode code);

/// The error type thrown throughout ptqc. what() is "E10001: message".
class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message);
  ErrorCode code() const { return code_; }
  /// The message without the code prefix.
  const std::string& message() const { return message_; }

 private:
  ErrorCode code_;
  std::string message_;
};

}  // namespace ptqc
