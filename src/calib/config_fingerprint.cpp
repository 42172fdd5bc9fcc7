#include <nlohmann/json.hpp>

#include "calib/config_vocabulary.h"
#include "ptqc/quant_config.h"

namespace ptqc {

namespace {

using nlohmann::json;

json layer_settings(const LayerQuantConfig& config) {
  const RangeAlgorithmConfig& act = config.activation;
  return {{"act_algo", choice_name(activation_algorithm_choices(), act.algorithm)},
          {"max_percentile", act.max_percentile},
          {"min_percentile", act.min_percentile},
          {"search_range", {act.search_start, act.search_end}},
          {"search_step", act.search_step},
          {"num_of_bins", act.num_bins},
          {"hfmg_objective", choice_name(histogram_objective_choices(), act.objective)},
          {"asymmetric", act.asymmetric},
          {"wts_algo", choice_name(weight_algorithm_choices(), config.weight_algorithm)},
          {"channel_wise", config.channel_wise},
          {"skip", config.skip}};
}

json input_settings(const InputTensorInfo& input) {
  return {{"index", input.index},
          {"input_name", input.input_name},
          {"input_type", choice_name(input_type_choices(), input.input_type)},
          {"net_format", choice_name(net_format_choices(), input.net_format)},
          {"output_data_type", choice_name(data_type_choices(), input.output_data_type)},
          {"mean", input.mean},
          {"std", input.std}};
}

}  // namespace

std::string QuantConfig::fingerprint() const {
  // nlohmann::json objects are ordered maps and dump() prints doubles in their shortest
  // round-trip form, so equal settings always print the same text.
  json layers = {{"common", layer_settings(common)}, {"op_types", json::object()}, {"layer_names", json::object()}};
  for (const auto& [type, config] : overrides.by_op_type) layers["op_types"][type] = layer_settings(config);
  for (const auto& [name, per_type] : overrides.by_layer_name) {
    for (const auto& [type, config] : per_type) layers["layer_names"][name][type] = layer_settings(config);
  }
  json inputs = json::array();
  for (const InputTensorInfo& input : this->inputs) inputs.push_back(input_settings(input));
  // The accuracy target decides which samples calibrate (without an eval list, part of the
  // list is held out), so it is part of what the ranges were computed from.
  json target = nullptr;
  if (accuracy_target) {
    target = {{"metric", choice_name(accuracy_metric_choices(), accuracy_target->metric)},
              {"value", accuracy_target->value},
              {"output", accuracy_target->output},
              {"eval_list_file", accuracy_target->eval_list_file}};
  }
  const json settings = {{"dataset_path", dataset.dataset_path},
                         {"image_list_file", dataset.image_list_file},
                         {"inputs", inputs},
                         {"calibration_batch_num", calibration_batch_num},
                         {"layers", layers},
                         {"accuracy_target", target},
                         {"exact_input_quantization", exact_input_quantization},
                         {"activation_matmul", activation_matmul},
                         {"cross_layer_equalization", cross_layer_equalization}};
  return settings.dump();
}

}  // namespace ptqc
