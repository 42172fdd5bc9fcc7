#include "calib/layer_overrides.h"

#include <spdlog/spdlog.h>

#include <map>
#include <optional>
#include <set>

#include "calib/closest_match.h"
#include "calib/config_vocabulary.h"
#include "ptqc/error.h"

namespace ptqc {

namespace {

/// How quantize_info names an op type in override_layer_configs (a bare key is a node name).
constexpr std::string_view kOpTypePrefix = "OpType::";

double read_percentile(const ConfigValue& value) {
  const double p = value.as_number();
  if (p < 0.5 || p > 1.0) value.fail("a number in [0.5, 1]");
  return p;
}

/// What skip_layers / skip_layer_types / one override_layer_configs entry say about one
/// layer or op type, before resolution.
struct PartialOverride {
  std::optional<ConfigValue> settings;  ///< the override_layer_configs entry, if any
  bool skip_listed = false;             ///< named in skip_layers / skip_layer_types
  std::string source_key;               ///< the first config key that names it

  void apply_to(LayerQuantConfig& config) const {
    if (settings) apply_layer_settings(*settings, config);
    if (skip_listed) config.skip = true;
  }
};

void note_source(PartialOverride& partial, const std::string& key) {
  if (partial.source_key.empty()) partial.source_key = key;
}

/// The string elements of the optional array quantize_info.<key>, each with its path.
std::vector<std::pair<std::string, std::string>> read_name_list(const ConfigValue& quantize_info,
                                                                const std::string& key) {
  std::vector<std::pair<std::string, std::string>> names;
  if (!quantize_info.has(key)) return names;
  const ConfigValue list = quantize_info.at(key);
  list.expect_array();
  for (size_t i = 0; i < list.size(); ++i) {
    const ConfigValue item = list.element(i);
    const std::string name = item.as_string();
    if (name.empty()) item.fail("a non-empty name");
    names.emplace_back(name, item.path());
  }
  return names;
}

/// A skip-listed layer whose override says "skip": false contradicts itself.
void check_skip_agrees(const PartialOverride& partial, const std::string& listed_in) {
  if (!partial.skip_listed || !partial.settings || !partial.settings->has("skip")) return;
  const ConfigValue skip = partial.settings->at("skip");
  if (!skip.as_bool()) skip.fail("true or no \"skip\" key (the layer is listed in " + listed_in + ")");
}

}  // namespace

const std::vector<std::string>& layer_setting_keys() {
  static const std::vector<std::string> keys = {"act_algo",    "max_percentile", "min_percentile", "search_range",
                                                "search_step", "num_of_bins",    "hfmg_objective", "asymmetric",
                                                "wts_algo",    "channel_wise"};
  return keys;
}

void apply_layer_settings(const ConfigValue& object, LayerQuantConfig& config) {
  RangeAlgorithmConfig& act = config.activation;
  if (object.has("act_algo")) {
    act.algorithm = object.at("act_algo").as_choice(activation_algorithm_choices());
  }
  if (object.has("max_percentile")) act.max_percentile = read_percentile(object.at("max_percentile"));
  if (object.has("min_percentile")) act.min_percentile = read_percentile(object.at("min_percentile"));
  if (object.has("search_range")) {
    const ConfigValue range = object.at("search_range");
    range.expect_array(2);
    const double start = range.element(0).as_number();
    if (start <= 0.0) range.element(0).fail("a number > 0");
    const double end = range.element(1).as_number();
    if (end <= start) range.element(1).fail("a number > search_range[0] (" + range.element(0).json().dump() + ")");
    act.search_start = start;
    act.search_end = end;
  }
  if (object.has("search_step")) {
    const ConfigValue step = object.at("search_step");
    act.search_step = step.as_number();
    if (act.search_step <= 0.0) step.fail("a number > 0");
  }
  if (object.has("num_of_bins")) {
    const ConfigValue bins = object.at("num_of_bins");
    act.num_bins = bins.as_integer();
    if (act.num_bins < 1024 || act.num_bins > 8192) bins.fail("an integer in [1024, 8192]");
  }
  if (object.has("hfmg_objective")) {
    act.objective = object.at("hfmg_objective").as_choice(histogram_objective_choices());
  }
  if (object.has("asymmetric")) act.asymmetric = object.at("asymmetric").as_bool();
  if (object.has("wts_algo")) {
    config.weight_algorithm = object.at("wts_algo").as_choice(weight_algorithm_choices());
  }
  if (object.has("channel_wise")) config.channel_wise = object.at("channel_wise").as_bool();
  if (object.has("skip")) config.skip = object.at("skip").as_bool();
}

LayerOverrides read_layer_overrides(const ConfigValue& quantize_info, const LayerQuantConfig& common) {
  std::map<std::string, PartialOverride> by_type;
  std::map<std::string, PartialOverride> by_name;

  for (const auto& [name, key] : read_name_list(quantize_info, "skip_layers")) {
    by_name[name].skip_listed = true;
    note_source(by_name[name], key);
  }
  for (const auto& [name, key] : read_name_list(quantize_info, "skip_layer_types")) {
    const std::string type = name.starts_with(kOpTypePrefix) ? name.substr(kOpTypePrefix.size()) : name;
    by_type[type].skip_listed = true;
    note_source(by_type[type], key);
  }
  if (quantize_info.has("override_layer_configs")) {
    const ConfigValue table = quantize_info.at("override_layer_configs");
    if (!table.json().is_object()) table.fail("an object {\"<node name or OpType::Type>\": {settings}}");
    std::vector<std::string> entry_keys = layer_setting_keys();
    entry_keys.push_back("skip");
    for (const auto& [key, value] : table.json().items()) {
      const ConfigValue entry = table.at(key);
      entry.expect_object(entry_keys);
      const bool is_type = key.starts_with(kOpTypePrefix);
      const std::string name = is_type ? key.substr(kOpTypePrefix.size()) : key;
      if (name.empty()) entry.fail("a node name or \"OpType::<op type>\" as the key");
      PartialOverride& partial = (is_type ? by_type : by_name)[name];
      partial.settings = entry;
      note_source(partial, entry.path());
    }
  }

  LayerOverrides overrides;
  for (const auto& [type, partial] : by_type) {
    check_skip_agrees(partial, "skip_layer_types");
    LayerQuantConfig config = common;
    partial.apply_to(config);
    overrides.by_op_type.emplace(type, config);
    overrides.source_keys.emplace(std::string(kOpTypePrefix) + type, partial.source_key);
  }
  for (const auto& [name, partial] : by_name) {
    check_skip_agrees(partial, "skip_layers");
    std::map<std::string, LayerQuantConfig>& per_type = overrides.by_layer_name[name];
    LayerQuantConfig config = common;
    partial.apply_to(config);
    per_type.emplace("", config);
    for (const auto& [type, type_config] : overrides.by_op_type) {
      LayerQuantConfig layered = type_config;
      partial.apply_to(layered);
      per_type.emplace(type, layered);
    }
    overrides.source_keys.emplace(name, partial.source_key);
  }
  return overrides;
}

const LayerQuantConfig& QuantConfig::for_layer(const std::string& node_name, const std::string& op_type) const {
  const auto named = overrides.by_layer_name.find(node_name);
  if (named != overrides.by_layer_name.end()) {
    const auto typed = named->second.find(op_type);
    return typed != named->second.end() ? typed->second : named->second.at("");
  }
  const auto typed = overrides.by_op_type.find(op_type);
  return typed != overrides.by_op_type.end() ? typed->second : common;
}

void QuantConfig::check_layer_names(const Graph& graph) const {
  std::vector<std::string> node_names;
  std::set<std::string> op_types;
  for (const Node& node : graph.nodes) {
    node_names.push_back(node.name);
    op_types.insert(node.op_type);
  }
  for (const auto& [name, unused] : overrides.by_layer_name) {
    if (std::find(node_names.begin(), node_names.end(), name) != node_names.end()) continue;
    throw Error(ErrorCode::kInvalidValue, config_path + ": " + overrides.source_keys.at(name) + ": no node named \"" +
                                              name + "\" in model graph '" + graph.name + "'" +
                                              did_you_mean(name, node_names));
  }
  const std::vector<std::string> type_list(op_types.begin(), op_types.end());
  for (const auto& [type, unused] : overrides.by_op_type) {
    if (op_types.count(type) == 0) {
      spdlog::warn("{}: {}: no {} node in model graph '{}'{}", config_path,
                   overrides.source_keys.at(std::string(kOpTypePrefix) + type), type, graph.name,
                   did_you_mean(type, type_list));
    }
  }
}

}  // namespace ptqc
