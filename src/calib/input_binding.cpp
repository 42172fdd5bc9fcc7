#include "calib/input_binding.h"

#include <algorithm>

#include "calib/closest_match.h"
#include "calib/config_vocabulary.h"
#include "ptqc/error.h"

namespace ptqc {

size_t InputBinding::data_file_bytes() const {
  return checked_tensor_bytes(sample_shape, info.output_data_type, "input '" + info.input_name + "' sample");
}

namespace {

/// The batch and sample shapes of \p graph_input: dim 0 is the batch, the rest must be static.
void bind_shape(const std::string& config_path, const ValueInfo& graph_input, int64_t batch_size,
                InputBinding& binding) {
  const std::string input = config_path + ": model input '" + graph_input.name + "'";
  if (!graph_input.has_shape || graph_input.dims.empty()) {
    throw Error(ErrorCode::kInvalidValue,
                input + " has no batch dim (its shape is " +
                    (graph_input.has_shape ? "a scalar" : "unknown: give it with --input_shape") + ")");
  }
  const int64_t n = graph_input.dims[0];
  if (n != -1 && n != batch_size) {
    throw Error(ErrorCode::kInvalidValue, input + " has batch dim " + std::to_string(n) +
                                              ", the calibration batch size is " + std::to_string(batch_size));
  }
  for (size_t i = 1; i < graph_input.dims.size(); ++i) {
    if (graph_input.dims[i] < 0) {
      throw Error(ErrorCode::kInvalidValue,
                  input + " has dynamic dim " + std::to_string(i) + ": bind it with --input_shape to calibrate");
    }
  }
  binding.sample_shape = graph_input.dims;
  binding.sample_shape[0] = 1;
  binding.batch_shape = graph_input.dims;
  binding.batch_shape[0] = batch_size;
  checked_tensor_bytes(binding.batch_shape, graph_input.dtype, input + ": a calibration batch", ErrorCode::kInvalidValue);
}

/// H, W, C of an "img" input, and the mean/std channel counts.
void bind_image_geometry(const std::string& config_path, InputBinding& binding) {
  const InputTensorInfo& info = binding.info;
  const std::string input = config_path + ": img input '" + info.input_name + "'";
  const Shape& s = binding.sample_shape;
  if (s.size() != 4) {
    throw Error(ErrorCode::kInvalidValue, input + " must be a 4-D " +
                                              choice_name(net_format_choices(), info.net_format) +
                                              " model input, its shape is " + shape_string(s));
  }
  const bool nchw = info.net_format == NetFormat::kNCHW;
  binding.channels = nchw ? s[1] : s[3];
  binding.height = nchw ? s[2] : s[1];
  binding.width = nchw ? s[3] : s[2];
  if (binding.channels != 1 && binding.channels != 3) {
    throw Error(ErrorCode::kInvalidValue, input + " has " + std::to_string(binding.channels) + " channels (" +
                                              choice_name(net_format_choices(), info.net_format) + " " +
                                              shape_string(s) + "); images give 1 (gray) or 3 (RGB)");
  }
  for (const auto& [key, values] : {std::pair{"mean", &info.mean}, std::pair{"std", &info.std}}) {
    const size_t count = values->size();
    if (count > 1 && count != static_cast<size_t>(binding.channels)) {
      throw Error(ErrorCode::kInvalidValue, input + ": " + key + " has " + std::to_string(count) +
                                                " values, the model input has " + std::to_string(binding.channels) +
                                                " channel(s) (" + shape_string(s) + "): give one value per channel");
    }
  }
}

}  // namespace

std::vector<InputBinding> bind_inputs(const QuantConfig& config, const std::vector<ValueInfo>& graph_inputs,
                                      int64_t batch_size) {
  std::vector<std::string> graph_names;
  for (const ValueInfo& v : graph_inputs) graph_names.push_back(v.name);
  std::vector<bool> bound(graph_inputs.size(), false);
  std::vector<InputBinding> bindings;
  for (const InputTensorInfo& info : config.inputs) {
    const auto found = std::find(graph_names.begin(), graph_names.end(), info.input_name);
    if (found == graph_names.end()) {
      std::string listed;
      for (const std::string& name : graph_names) listed += (listed.empty() ? "" : ", ") + name;
      throw Error(ErrorCode::kInvalidValue, config.config_path + ": model_info.input_tensor_info: input_name \"" +
                                                info.input_name + "\" is not an input of the model (inputs: " + listed +
                                                ")" + did_you_mean(info.input_name, graph_names));
    }
    InputBinding binding;
    binding.info = info;
    binding.graph_position = static_cast<size_t>(found - graph_names.begin());
    const ValueInfo& graph_input = graph_inputs[binding.graph_position];
    binding.graph_dtype = graph_input.dtype;
    bind_shape(config.config_path, graph_input, batch_size, binding);
    if (info.input_type == InputType::kImage) bind_image_geometry(config.config_path, binding);
    bound[binding.graph_position] = true;
    bindings.push_back(std::move(binding));
  }
  for (size_t i = 0; i < graph_inputs.size(); ++i) {
    if (!bound[i]) {
      throw Error(ErrorCode::kInvalidValue, config.config_path + ": model input '" + graph_inputs[i].name +
                                                "' has no entry in model_info.input_tensor_info (every input needs "
                                                "calibration data)");
    }
  }
  return bindings;
}

}  // namespace ptqc
