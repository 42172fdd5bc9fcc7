#pragma once
/// \file
/// What the command-line tools share: logging setup, error reporting, seeded random inputs
/// and raw .bin output files (reading sample files is ptqc/sample_files.h).

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ptqc/error.h"
#include "ptqc/tensor.h"
#include "ptqc/graph.h"

namespace CLI {
class App;
}

namespace ptqc::cli {

/// Parses the command line into \p app's options. nullopt when the tool should run;
/// otherwise the exit status (0 after --help; a syntax error is reported as
/// report_usage_error does).
std::optional<int> parse_arguments(CLI::App& app, int argc, char** argv);

/// Sets spdlog's level from --log (debug|info|warning|error|null); E10010 otherwise.
void set_log_level(const std::string& level);

/// Adds --max_memory=SIZE to \p app: the most bytes one tensor may take (bytes, or a number
/// with a K, M, G or T suffix in powers of 1024; default: the machine's memory). A shape
/// beyond it is refused before anything is allocated (ptqc::set_max_tensor_bytes).
void add_max_memory_flag(CLI::App& app);

/// "8G" -> 8 << 30: a positive byte count with an optional K/M/G/T suffix (E10001 otherwise).
uint64_t parse_byte_size(const std::string& text, const std::string& flag);

/// What a failure prints and returns: the coded line ("E19030: ...") and the exit status.
struct Failure {
  std::string line;
  int status = 1;
};
/// The Failure for the exception \p e (a ptqc::Error keeps its code; others are E19999).
Failure failure_of(std::exception_ptr e);

/// Runs \p body; a failure becomes one "[ERROR] E19030: ..." line on stderr and its exit status.
int run_guarded(const std::function<int()>& body);

/// Reports a command-line syntax error (unknown flag, missing value or required flag) as
/// one coded line (E10007 when \p missing_required, E10001 otherwise) and returns exit status 2.
int report_usage_error(bool missing_required, const std::string& message);
/// The coded error report_usage_error prints.
Error usage_error(bool missing_required, const std::string& message);

/// A deterministic pseudo-random sample for \p info (uniform in [0, 1) for floats,
/// small integers otherwise). Dynamic dims must be bound (E10001 otherwise).
Tensor random_input(const ValueInfo& info, uint32_t seed);

/// Writes DIR/output_<i>.bin (float outputs as float32, others in their own type)
/// and DIR/outputs.json (name, dtype, shape, file of each), each atomically.
void write_outputs(const std::string& dir, const std::vector<ValueInfo>& infos, const std::vector<Tensor>& outputs);

/// Splits "a,b,c" (empty parts dropped).
std::vector<std::string> split_list(const std::string& text, char sep);

}  // namespace ptqc::cli
