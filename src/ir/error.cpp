#include "ptqc/error.h"

namespace ptqc {

std::string_view error_code_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidValue: return "E10001";
    case ErrorCode::kEmptyValue: return "E10004";
    case ErrorCode::kMissingFlag: return "E10007";
    case ErrorCode::kBadLogLevel: return "E10010";
    case ErrorCode::kUnknownOutNode: return "E10016";
    case ErrorCode::kFileIo: return "E19000";
    case ErrorCode::kUnsupportedOp: return "E19010";
    case ErrorCode::kInvalidModel: return "E19020";
    case ErrorCode::kInvalidData: return "E19030";
    case ErrorCode::kInternal: return "E19999";
  }
  return "E19999";
}

int exit_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidValue:
    case ErrorCode::kEmptyValue:
    case ErrorCode::kMissingFlag:
    case ErrorCode::kBadLogLevel:
    case ErrorCode::kUnknownOutNode: return 2;
    case ErrorCode::kFileIo: return 3;
    case ErrorCode::kInvalidModel:
    case ErrorCode::kInvalidData: return 4;
    case ErrorCode::kUnsupportedOp: return 5;
    case ErrorCode::kInternal: return 70;
  }
  return 70;
}

Error::Error(ErrorCode code, const std::string& message)
    : std::runtime_error(std::string(error_code_string(code)) + ": " + message),
      code_(code),
      message_(message) {}

}  // namespace ptqc
