#include "compare/output_folders.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "compare/metrics.h"
#include "ptqc/compare.h"
#include "ptqc/error.h"
#include "ptqc/file_io.h"

namespace fs = std::filesystem;

namespace ptqc {

namespace {

std::string read_bytes(const fs::path& path) { return read_file_bytes(path.string(), max_tensor_bytes(), "output file"); }

/// The DataType whose dtype_name() is \p name (E19030 naming \p listing otherwise).
DataType dtype_named(const std::string& name, const fs::path& listing) {
  for (DataType t : {DataType::kFloat32, DataType::kFloat16, DataType::kFloat64, DataType::kBFloat16, DataType::kInt8,
                     DataType::kUInt8, DataType::kInt16, DataType::kUInt16, DataType::kInt32, DataType::kUInt32,
                     DataType::kInt64, DataType::kUInt64, DataType::kBool}) {
    if (dtype_name(t) == name) return t;
  }
  throw Error(ErrorCode::kInvalidData, listing.string() + ": unknown dtype '" + name + "'");
}

/// The outputs listed in \p dir/outputs.json.
std::vector<std::pair<std::string, Tensor>> read_sample(const fs::path& dir) {
  const fs::path listing = dir / "outputs.json";
  nlohmann::json entries;
  try {
    entries = nlohmann::json::parse(read_bytes(listing));
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorCode::kInvalidData, listing.string() + ": not valid JSON: " + e.what());
  }
  if (!entries.is_array()) throw Error(ErrorCode::kInvalidData, listing.string() + ": expected an array of outputs");
  std::vector<std::pair<std::string, Tensor>> outputs;
  for (size_t i = 0; i < entries.size(); ++i) {
    const std::string where = listing.string() + "[" + std::to_string(i) + "]";
    std::string name, dtype, file;
    Shape shape;
    try {
      name = entries[i].at("name").get<std::string>();
      dtype = entries[i].at("dtype").get<std::string>();
      file = entries[i].at("file").get<std::string>();
      shape = entries[i].at("shape").get<Shape>();
    } catch (const nlohmann::json::exception& e) {
      throw Error(ErrorCode::kInvalidData, where + ": " + e.what());
    }
    for (int64_t d : shape) {
      if (d < 0) throw Error(ErrorCode::kInvalidData, where + ": negative dim in shape " + entries[i].at("shape").dump());
    }
    Tensor t(dtype_named(dtype, listing), shape);
    const fs::path bin = dir / file;
    const std::string bytes = read_bytes(bin);
    if (bytes.size() != t.nbytes()) {
      throw Error(ErrorCode::kInvalidData, bin.string() + ": output '" + name + "' (" + shape_string(shape) + " " + dtype +
                                               ") needs " + std::to_string(t.nbytes()) + " bytes, the file has " +
                                               std::to_string(bytes.size()));
    }
    if (!bytes.empty()) std::memcpy(t.raw(), bytes.data(), bytes.size());
    outputs.emplace_back(name, std::move(t));
  }
  return outputs;
}

}  // namespace

std::vector<SampleOutputs> read_output_folder(const std::string& dir) {
  if (fs::exists(fs::path(dir) / "outputs.json")) return {{"", read_sample(dir)}};
  std::vector<std::string> folders;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_directory() && fs::exists(entry.path() / "outputs.json")) folders.push_back(entry.path().filename().string());
  }
  if (ec) throw Error(ErrorCode::kFileIo, "cannot read the output folder " + dir + ": " + ec.message());
  if (folders.empty()) {
    throw Error(ErrorCode::kFileIo, dir + " holds neither outputs.json nor sample folders with one (ptqc-run's output)");
  }
  std::sort(folders.begin(), folders.end());
  std::vector<SampleOutputs> samples;
  for (const std::string& f : folders) samples.push_back({f, read_sample(fs::path(dir) / f)});
  return samples;
}

CompareReport compare_output_folders(const std::string& fp32_dir, const std::string& int8_dir, const MetricOptions& options) {
  const std::vector<SampleOutputs> ref = read_output_folder(fp32_dir), test = read_output_folder(int8_dir);
  // A single-sample folder is the sample "" on both sides; numbered folders must be the same set.
  for (size_t s = 0; s < std::max(ref.size(), test.size()); ++s) {
    if (s >= ref.size() || s >= test.size() || ref[s].sample != test[s].sample) {
      const bool missing_in_test = s < ref.size() && (s >= test.size() || ref[s].sample < test[s].sample);
      const std::string name = missing_in_test ? ref[s].sample : test[s].sample;
      throw Error(ErrorCode::kInvalidData, "the folders hold different samples: " +
                                               (name.empty() ? std::string("a single sample") : "sample folder " + name) +
                                               " is in " + (missing_in_test ? fp32_dir : int8_dir) + " but not in " +
                                               (missing_in_test ? int8_dir : fp32_dir));
    }
  }
  CompareReport report;
  report.mode = "folders";
  report.fp32_source = fp32_dir;
  report.int8_source = int8_dir;
  report.options = options;
  report.samples = static_cast<int64_t>(ref.size());
  for (const auto& [name, tensor] : ref.front().outputs) report.outputs.push_back({name, tensor.shape(), {}});
  for (size_t s = 0; s < ref.size(); ++s) {
    const std::string sample = ref[s].sample.empty() ? "" : " of sample " + ref[s].sample;
    if (ref[s].outputs.size() != report.outputs.size() || test[s].outputs.size() != report.outputs.size()) {
      throw Error(ErrorCode::kInvalidData, "different numbers of outputs" + sample + ": " + std::to_string(ref[s].outputs.size()) +
                                               " in " + fp32_dir + ", " + std::to_string(test[s].outputs.size()) + " in " + int8_dir);
    }
    for (size_t o = 0; o < report.outputs.size(); ++o) {
      OutputComparison& out = report.outputs[o];
      const auto& r = ref[s].outputs[o];
      const auto it = std::find_if(test[s].outputs.begin(), test[s].outputs.end(), [&](const auto& t) { return t.first == out.name; });
      if (r.first != out.name || it == test[s].outputs.end()) {
        throw Error(ErrorCode::kInvalidData, "output '" + out.name + "'" + sample + " is not in both folders (" + fp32_dir +
                                                 ", " + int8_dir + ")");
      }
      add_output_sample(out, r.second, it->second, options, "output '" + out.name + "'" + sample);
    }
  }
  return report;
}

}  // namespace ptqc
