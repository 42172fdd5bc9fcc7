#include "quant/record.h"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "ptqc/file_io.h"

namespace ptqc {

namespace {

constexpr int kRecordVersion = 2;  // 2: the key holds the calibration data fingerprint

/// Shortest text that reads back as the same float32 (9 significant digits).
std::string float_text(float v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v));
  return buf;
}

nlohmann::json layer_json(const LayerQuantRecord& r) {
  nlohmann::json j = {{"layer", r.layer},        {"op_type", r.op_type},   {"activation", r.activation},
                      {"range_min", r.range.min}, {"range_max", r.range.max}, {"scale_d", r.scale_d},
                      {"offset_d", r.offset_d},  {"scale_w", r.scale_w},   {"offset_w", r.offset_w}};
  if (!r.activation_b.empty()) {
    j["activation_b"] = r.activation_b;
    j["range_b_min"] = r.range_b.min;
    j["range_b_max"] = r.range_b.max;
  }
  return j;
}

LayerQuantRecord layer_from_json(const nlohmann::json& j) {
  LayerQuantRecord r;
  r.layer = j.at("layer").get<std::string>();
  r.op_type = j.at("op_type").get<std::string>();
  r.activation = j.at("activation").get<std::string>();
  r.range = {j.at("range_min").get<float>(), j.at("range_max").get<float>()};
  r.scale_d = j.at("scale_d").get<float>();
  r.offset_d = j.at("offset_d").get<int32_t>();
  r.scale_w = j.at("scale_w").get<std::vector<float>>();
  r.offset_w = j.at("offset_w").get<int32_t>();
  if (j.contains("activation_b")) {
    r.activation_b = j.at("activation_b").get<std::string>();
    r.range_b = {j.at("range_b_min").get<float>(), j.at("range_b_max").get<float>()};
  }
  return r;
}

}  // namespace

std::string format_amct_record(const std::vector<LayerQuantRecord>& layers) {
  std::string out;
  for (const auto& r : layers) {
    out += "record {\n  key: \"" + r.layer + "\"\n  value {\n";
    out += "    scale_d: " + float_text(r.scale_d) + "\n";
    out += "    offset_d: " + std::to_string(r.offset_d) + "\n";
    for (float s : r.scale_w) out += "    scale_w: " + float_text(s) + "\n";
    for (size_t i = 0; i < r.scale_w.size(); ++i) out += "    offset_w: " + std::to_string(r.offset_w) + "\n";
    out += "  }\n}\n";
  }
  return out;
}

std::string format_json_record(const RecordKey& key, const std::vector<LayerQuantRecord>& layers) {
  nlohmann::json j = {{"ptqc_record_version", kRecordVersion},
                      {"model_sha256", key.model_sha256},
                      {"config_fingerprint", key.config_fingerprint},
                      {"input_shapes", key.input_shapes},
                      {"calibration_data_sha256", key.calibration_data},
                      {"calibration_batches", key.batches},
                      {"layers", nlohmann::json::array()}};
  for (const auto& r : layers) j["layers"].push_back(layer_json(r));
  return j.dump(2) + "\n";
}

void write_records(const std::string& dir, const RecordKey& key, const std::vector<LayerQuantRecord>& layers) {
  ensure_directory(dir);
  write_file_atomically((std::filesystem::path(dir) / "record.txt").string(), format_amct_record(layers));
  write_file_atomically((std::filesystem::path(dir) / "quant_record.json").string(), format_json_record(key, layers));
}

std::optional<std::vector<LayerQuantRecord>> load_matching_record(const std::string& dir, const RecordKey& key) {
  const auto path = std::filesystem::path(dir) / "quant_record.json";
  std::error_code missing;
  if (!std::filesystem::exists(path, missing)) return std::nullopt;
  try {
    const auto j = nlohmann::json::parse(read_file_bytes(path.string(), kMaxTextFileBytes, "calibration record"));
    if (j.at("ptqc_record_version").get<int>() != kRecordVersion || j.at("model_sha256") != key.model_sha256 ||
        j.at("config_fingerprint") != key.config_fingerprint || j.at("input_shapes") != key.input_shapes ||
        j.at("calibration_data_sha256") != key.calibration_data) {
      spdlog::info("{} was made for another model, config, input shape or calibration data: calibrating again",
                   path.string());
      return std::nullopt;
    }
    std::vector<LayerQuantRecord> layers;
    for (const auto& l : j.at("layers")) layers.push_back(layer_from_json(l));
    return layers;
  } catch (const std::exception& e) {  // not JSON, not ptqc's schema, or not a readable regular file
    spdlog::warn("ignoring unreadable calibration record {}: {}", path.string(), e.what());
    return std::nullopt;
  }
}

}  // namespace ptqc
