#include "ptqc/quant_config.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <functional>
#include <sstream>

#include "calib/config_keys.h"
#include "calib/config_vocabulary.h"
#include "calib/layer_overrides.h"
#include "ptqc/error.h"
#include "ptqc/file_io.h"

namespace ptqc {

namespace {

namespace fs = std::filesystem;

std::string read_config_text(const std::string& path) {
  return read_file_bytes(path, kMaxTextFileBytes, "quantization config");
}

/// A dataset_info path: relative paths are taken from \p config_dir (the config file's folder).
std::string read_path(const ConfigValue& value, const fs::path& config_dir) {
  const std::string text = value.as_string();
  if (text.empty()) value.fail("a non-empty path");
  const fs::path p(text);
  const fs::path resolved = fs::absolute(p.is_absolute() ? p : config_dir / p).lexically_normal();
  return (resolved.has_filename() ? resolved : resolved.parent_path()).string();  // no trailing '/'
}

DatasetInfo read_dataset_info(const ConfigValue& info, const fs::path& config_dir) {
  info.expect_object({"dataset_name", "dataset_path", "image_list_file", "out_file_path"});
  DatasetInfo dataset;
  if (info.has("dataset_name")) dataset.dataset_name = info.at("dataset_name").as_string();
  dataset.dataset_path = read_path(info.required("dataset_path"), config_dir);
  dataset.image_list_file = read_path(info.required("image_list_file"), config_dir);
  if (info.has("out_file_path")) dataset.out_file_path = read_path(info.at("out_file_path"), config_dir);
  return dataset;
}

/// mean / std: "0.0,0.0,0.0" (the seed's form) or [0.0, 0.0, 0.0]; one value per channel.
std::vector<float> read_channel_values(const ConfigValue& value) {
  std::vector<float> values;
  if (value.json().is_array()) {
    for (size_t i = 0; i < value.size(); ++i) {
      const float v = static_cast<float>(value.element(i).as_number());
      if (!std::isfinite(v)) value.element(i).fail("a number in float range");
      values.push_back(v);
    }
  } else if (value.json().is_string()) {
    const std::string text = value.as_string();
    std::istringstream items(text);
    std::string item;
    while (std::getline(items, item, ',')) {
      const size_t first = item.find_first_not_of(" \t");
      const size_t last = item.find_last_not_of(" \t");
      const std::string number = first == std::string::npos ? "" : item.substr(first, last - first + 1);
      float v = 0.0f;
      const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), v);
      if (number.empty() || ec != std::errc() || end != number.data() + number.size() || !std::isfinite(v)) {
        value.fail("comma-separated numbers such as \"0.0,0.0,0.0\"", " (\"" + number + "\" is not a number)");
      }
      values.push_back(v);
    }
  } else {
    value.fail("comma-separated numbers in a string (\"0.0,0.0,0.0\") or an array of numbers");
  }
  if (values.empty()) value.fail("at least one value");
  return values;
}

/// "data" files are used as they are: a mean/std other than the identity would be ignored, so it is an error.
void reject_data_normalization(const ConfigValue& entry, const std::string& key, const std::vector<float>& values,
                               float identity) {
  for (float v : values) {
    if (v != identity) {
      entry.at(key).fail(std::to_string(static_cast<int>(identity)) + " for every channel or no \"" + key +
                         "\" key (mean and std apply to \"img\" inputs; \"data\" files are used as they are)");
    }
  }
}

InputTensorInfo read_input_tensor_info(const ConfigValue& entry, size_t position) {
  entry.expect_object({"index", "input_name", "input_type", "net_format", "output_data_type", "mean", "std"});
  InputTensorInfo input;
  input.index = static_cast<int64_t>(position);
  if (entry.has("index")) input.index = entry.at("index").as_integer();
  const ConfigValue name = entry.required("input_name");
  input.input_name = name.as_string();
  if (input.input_name.empty()) name.fail("the name of a model input");
  input.input_type = entry.required("input_type").as_choice(input_type_choices());
  if (entry.has("net_format")) {
    const ConfigValue format = entry.at("net_format");
    input.net_format = format.as_choice(net_format_choices());
    if (input.input_type == InputType::kImage && input.net_format == NetFormat::kND) {
      format.fail("NCHW or NHWC (the layout an \"img\" input is written in)");
    }
  }
  if (entry.has("output_data_type")) {
    input.output_data_type = entry.at("output_data_type").as_choice(data_type_choices());
  }
  if (entry.has("mean")) input.mean = read_channel_values(entry.at("mean"));
  if (entry.has("std")) {
    const ConfigValue std_value = entry.at("std");
    input.std = read_channel_values(std_value);
    for (float s : input.std) {
      if (s == 0.0f) std_value.fail("non-zero values (each channel is divided by its std)");
    }
  }
  if (input.input_type == InputType::kData) {
    reject_data_normalization(entry, "mean", input.mean, 0.0f);
    reject_data_normalization(entry, "std", input.std, 1.0f);
  }
  return input;
}

/// input_tensor_info: a non-empty array; indices 0..n-1 (each once) and names unique.
std::vector<InputTensorInfo> read_model_info(const ConfigValue& model_info) {
  model_info.expect_object({"input_tensor_info"});
  const ConfigValue list = model_info.required("input_tensor_info");
  list.expect_array();
  if (list.size() == 0) list.fail("at least one input entry");
  std::vector<InputTensorInfo> inputs;
  for (size_t i = 0; i < list.size(); ++i) {
    const ConfigValue entry = list.element(i);
    InputTensorInfo input = read_input_tensor_info(entry, i);
    const bool index_taken = std::any_of(inputs.begin(), inputs.end(),
                                         [&](const InputTensorInfo& other) { return other.index == input.index; });
    if (input.index < 0 || input.index >= static_cast<int64_t>(list.size()) || index_taken) {
      const ConfigValue where = entry.has("index") ? entry.at("index") : entry;
      where.fail("an index in [0, " + std::to_string(list.size() - 1) +
                 "] not used by another entry (the list file's column of this input)");
    }
    for (const InputTensorInfo& other : inputs) {
      if (other.input_name == input.input_name) entry.at("input_name").fail("a name not used by another entry");
    }
    inputs.push_back(std::move(input));
  }
  std::sort(inputs.begin(), inputs.end(),
            [](const InputTensorInfo& a, const InputTensorInfo& b) { return a.index < b.index; });
  return inputs;
}

std::vector<std::string> quantize_info_keys() {
  std::vector<std::string> keys = {"quant_mode",       "calibration_batch_num",  "skip_layers",
                                   "skip_layer_types", "override_layer_configs", "bias_correction",
                                   "accuracy_target",  "exact_input_quantization", "activation_matmul",
                                   "cross_layer_equalization"};
  const std::vector<std::string>& layer_keys = layer_setting_keys();
  keys.insert(keys.end(), layer_keys.begin(), layer_keys.end());
  return keys;
}

/// quantize_info.accuracy_target: {"metric", "value", optional "output" and "eval_list_file"}.
AccuracyTarget read_accuracy_target(const ConfigValue& target, const fs::path& config_dir) {
  target.expect_object({"metric", "value", "output", "eval_list_file"});
  AccuracyTarget t;
  t.key_path = target.path();
  t.metric = target.required("metric").as_choice(accuracy_metric_choices());
  const ConfigValue value = target.required("value");
  t.value = value.as_number();
  const bool ratio = t.metric == AccuracyMetric::kCosine || t.metric == AccuracyMetric::kTop1Agreement;
  if (ratio && (t.value <= 0 || t.value > 1)) value.fail("a number in (0, 1]");
  if (!ratio && (t.value <= 0 || t.value > 200)) value.fail("a number of dB in (0, 200]");
  if (target.has("output")) {
    const ConfigValue output = target.at("output");
    t.output = output.as_string();
    if (t.output.empty()) output.fail("the name of a model output");
  }
  if (target.has("eval_list_file")) t.eval_list_file = read_path(target.at("eval_list_file"), config_dir);
  return t;
}

void read_quantize_info(const ConfigValue& info, QuantConfig& config, const fs::path& config_dir) {
  info.expect_object(quantize_info_keys());
  if (info.has("quant_mode")) info.at("quant_mode").as_choice(Choices<int>{{"static_ptq", 0}});
  if (info.has("calibration_batch_num")) {
    const ConfigValue batches = info.at("calibration_batch_num");
    config.calibration_batch_num = batches.as_integer();
    if (config.calibration_batch_num == 0 || config.calibration_batch_num < -1) {
      batches.fail("a positive number of batches, or -1 for all");
    }
  }
  if (info.has("bias_correction")) config.bias_correction = info.at("bias_correction").as_bool();
  if (info.has("exact_input_quantization")) {
    config.exact_input_quantization = info.at("exact_input_quantization").as_bool();
  }
  if (info.has("activation_matmul")) config.activation_matmul = info.at("activation_matmul").as_bool();
  if (info.has("cross_layer_equalization")) {
    config.cross_layer_equalization = info.at("cross_layer_equalization").as_bool();
  }
  if (info.has("accuracy_target")) config.accuracy_target = read_accuracy_target(info.at("accuracy_target"), config_dir);
  apply_layer_settings(info, config.common);
  config.overrides = read_layer_overrides(info, config.common);
}

}  // namespace

std::map<std::string, ActivationRange> QuantConfig::exact_input_ranges() const {
  std::map<std::string, ActivationRange> ranges;
  if (!exact_input_quantization) return ranges;
  const auto uniform = [](const std::vector<float>& v) { return std::adjacent_find(v.begin(), v.end(), std::not_equal_to<>()) == v.end(); };
  for (const InputTensorInfo& input : inputs) {
    if (input.input_type != InputType::kImage || !uniform(input.mean) || !uniform(input.std)) continue;
    const float mean = input.mean.empty() ? 0.0f : input.mean[0], std = input.std.empty() ? 1.0f : input.std[0];
    // A negative std mirrors the grid; 0 must lie inside it (scale_d, offset_d need a range holding 0).
    if (std <= 0 || mean < 0 || mean > 255) continue;
    ranges[input.input_name] = {(0.0f - mean) / std, (255.0f - mean) / std};
  }
  return ranges;
}

QuantConfig load_quant_config(const std::string& path) { return parse_quant_config(path, read_config_text(path)); }

QuantConfig parse_quant_config(const std::string& path, const std::string& text) {
  const nlohmann::json root = parse_config_json(path, text);
  const ConfigValue top(path, root, "");
  top.expect_object({"dataset_info", "model_info", "quantize_info"});
  const fs::path config_dir = fs::path(path).parent_path();

  QuantConfig config;
  config.config_path = path;
  config.dataset = read_dataset_info(top.required("dataset_info"), config_dir);
  config.inputs = read_model_info(top.required("model_info"));
  const nlohmann::json no_settings = nlohmann::json::object();
  read_quantize_info(
      top.has("quantize_info") ? top.at("quantize_info") : ConfigValue(path, no_settings, "quantize_info"), config,
      config_dir);
  return config;
}

}  // namespace ptqc
