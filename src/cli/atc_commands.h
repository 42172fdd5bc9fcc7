#pragma once
/// \file
/// The modes of the `ptqc` command (ATC's --mode): 0 compile, 1 .om to JSON,
/// 3 pre-check, 6 .om info. Each throws a coded ptqc::Error on failure.

#include "cli/atc_options.h"

namespace ptqc::cli {

/// --mode=0: ONNX (+ quantization config) -> <output>.om. Prints a summary on stdout.
void compile_model(const AtcFlags& flags);

/// --mode=1: writes the readable JSON of --om to --json.
void dump_om_json(const AtcFlags& flags);

/// --mode=3: writes --check_report (every op: supported? quantized? why not?) without
/// compiling. Returns the number of unsupported ops.
size_t precheck_model(const AtcFlags& flags);

/// --mode=6: prints the model info of --om.
void print_om_info(const AtcFlags& flags);

}  // namespace ptqc::cli
