#include "cli/tool_support.h"

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>

#include "ptqc/error.h"
#include "ptqc/file_io.h"

namespace ptqc::cli {

void set_log_level(const std::string& level) {
  static const std::map<std::string, spdlog::level::level_enum> levels = {
      {"debug", spdlog::level::debug}, {"info", spdlog::level::info},   {"warning", spdlog::level::warn},
      {"error", spdlog::level::err},   {"null", spdlog::level::off}};
  auto it = levels.find(level);
  if (it == levels.end()) {
    throw Error(ErrorCode::kBadLogLevel,
                "Value [" + level + "] for parameter [--log] is invalid. Reason: use debug, info, warning, error or null");
  }
  spdlog::set_level(it->second);
}

uint64_t parse_byte_size(const std::string& text, const std::string& flag) {
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  const std::string suffix(end, text.data() + text.size());
  static const std::map<std::string, unsigned> shifts = {{"", 0},  {"K", 10}, {"k", 10}, {"M", 20},
                                                         {"m", 20}, {"G", 30}, {"g", 30}, {"T", 40}, {"t", 40}};
  const auto shift = shifts.find(suffix);
  if (ec != std::errc() || end == text.data() || shift == shifts.end() || value == 0 ||
      value > (UINT64_MAX >> shift->second)) {
    throw Error(ErrorCode::kInvalidValue, "Value [" + text + "] for parameter [" + flag +
                                              "] is invalid. Reason: expected a positive size in bytes, e.g. 8G or 512M");
  }
  return value << shift->second;
}

void add_max_memory_flag(CLI::App& app) {
  app.add_option_function<std::string>(
      "--max_memory",
      [](const std::string& size) {
        try {
          set_max_tensor_bytes(parse_byte_size(size, "--max_memory"));
        } catch (const Error& e) {
          throw CLI::ValidationError(e.message());  // reported like every other bad flag
        }
      },
      "the most bytes one tensor may take, e.g. 8G (default: the machine's memory)");
}

Failure failure_of(std::exception_ptr e) {
  try {
    std::rethrow_exception(e);
  } catch (const Error& err) {
    return {err.what(), exit_status(err.code())};
  } catch (const std::bad_alloc&) {
    return {"E19999: out of memory", exit_status(ErrorCode::kInternal)};
  } catch (const std::exception& err) {
    return {std::string("E19999: internal error: ") + err.what(), exit_status(ErrorCode::kInternal)};
  }
}

int run_guarded(const std::function<int()>& body) {
  try {
    return body();
  } catch (...) {
    const Failure f = failure_of(std::current_exception());
    std::cerr << "[ERROR] " << f.line << "\n";
    return f.status;
  }
}

std::optional<int> parse_arguments(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
    return std::nullopt;
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    return report_usage_error(dynamic_cast<const CLI::RequiredError*>(&e) != nullptr, e.what());
  }
}

Error usage_error(bool missing_required, const std::string& message) {
  return Error(missing_required ? ErrorCode::kMissingFlag : ErrorCode::kInvalidValue, message + " (see --help)");
}

int report_usage_error(bool missing_required, const std::string& message) {
  const Error e = usage_error(missing_required, message);
  std::cerr << "[ERROR] " << e.what() << "\n";
  return exit_status(e.code());
}

Tensor random_input(const ValueInfo& info, uint32_t seed) {
  if (!info.is_static()) {
    throw Error(ErrorCode::kInvalidValue, "input '" + info.name + "' has dynamic dims: bind them with --input_shape");
  }
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  Tensor floats(DataType::kFloat32, info.dims);
  for (float& v : floats.values<float>()) v = uniform(rng);
  if (info.dtype == DataType::kFloat32) return floats;
  if (!is_float(info.dtype)) {
    for (float& v : floats.values<float>()) v = std::floor(v * 4.0f);  // small valid indices / ids
  }
  return cast_tensor(floats, info.dtype);
}

void write_outputs(const std::string& dir, const std::vector<ValueInfo>& infos, const std::vector<Tensor>& outputs) {
  ensure_directory(dir);
  nlohmann::json listing = nlohmann::json::array();
  for (size_t i = 0; i < outputs.size(); ++i) {
    const Tensor& t = outputs[i];
    const Tensor written = is_float(t.dtype()) && t.dtype() != DataType::kFloat32 ? cast_tensor(t, DataType::kFloat32) : t;
    const std::string file = "output_" + std::to_string(i) + ".bin";
    write_file_atomically((std::filesystem::path(dir) / file).string(),
                          std::string_view(reinterpret_cast<const char*>(written.raw()), written.nbytes()));
    listing.push_back({{"name", infos[i].name}, {"dtype", dtype_name(written.dtype())}, {"shape", written.shape()}, {"file", file}});
  }
  write_file_atomically((std::filesystem::path(dir) / "outputs.json").string(), listing.dump(2) + "\n");
}

std::vector<std::string> split_list(const std::string& text, char sep) {
  std::vector<std::string> parts;
  std::string current;
  for (char c : text) {
    if (c == sep) {
      if (!current.empty()) parts.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) parts.push_back(current);
  return parts;
}

}  // namespace ptqc::cli
