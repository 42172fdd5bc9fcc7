// ptqc: the compiler, with ATC's command line (brief section 1).
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <cstdio>

#include "cli/atc_commands.h"
#include "cli/tool_support.h"
#include "ptqc/error.h"

namespace {

/// Runs the selected mode; throws on failure.
int run_mode(const ptqc::cli::AtcFlags& f) {
  ptqc::cli::set_log_level(f.log);
  for (const auto& [name, value] : f.ignored) spdlog::warn("--{}={} has no effect in ptqc (ignored)", name, value);
  switch (f.mode) {
    case 0: ptqc::cli::compile_model(f); return 0;
    case 1: ptqc::cli::dump_om_json(f); return 0;
    case 3: {
      const size_t unsupported = ptqc::cli::precheck_model(f);
      if (unsupported > 0) {
        throw ptqc::Error(ptqc::ErrorCode::kUnsupportedOp, std::to_string(unsupported) + " ops of the model are not supported (see " + f.check_report + ")");
      }
      return 0;
    }
    case 6: ptqc::cli::print_om_info(f); return 0;
    default:
      throw ptqc::Error(ptqc::ErrorCode::kInvalidValue, "Value [" + std::to_string(f.mode) +
                                                            "] for parameter [--mode] is invalid. Reason: ptqc supports modes 0, 1, 3 and 6");
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ptqc: post-training INT8 quantization of ONNX models into Ascend-style .om files.\n"
               "Example:\n  ptqc --model=m.onnx --framework=5 --output=out/m_int8 --soc_version=Ascend310P3 \\\n"
               "       --input_shape=\"input0:1,3,224,224\" --enable_quantization=true --quantization_config=quant.json\n"
               "Docs: docs/cli.md (flags, modes, error codes), docs/config.md (quantization config)."};
  ptqc::cli::AtcFlags flags;
  ptqc::cli::add_atc_flags(app, flags);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    const ptqc::Error err = ptqc::cli::usage_error(dynamic_cast<const CLI::RequiredError*>(&e) != nullptr, e.what());
    std::printf("ATC run failed, Please check the detail log, Try 'ptqc --help' for more information\n%s\n", err.what());
    return ptqc::exit_status(err.code());
  }
  std::printf("ATC start working now, please wait for a moment.\n");
  std::fflush(stdout);
  try {
    run_mode(flags);
    std::printf("ATC run success, welcome to the next use.\n");
    return 0;
  } catch (...) {
    // ATC's shape: the failure line, then the coded reason; scripts grep both.
    const ptqc::cli::Failure failure = ptqc::cli::failure_of(std::current_exception());
    std::printf("ATC run failed, Please check the detail log, Try 'ptqc --help' for more information\n%s\n", failure.line.c_str());
    return failure.status;
  }
}
