#pragma once
/// \file
/// The per-layer part of quantize_info: the settings keys shared by quantize_info and
/// each override_layer_configs entry, and the resolution of skip_layers, skip_layer_types
/// and override_layer_configs into LayerOverrides.

#include <string>
#include <vector>

#include "calib/config_keys.h"
#include "ptqc/quant_config.h"

namespace ptqc {

/// act_algo, max_percentile, ... channel_wise: the keys that set how a layer is quantized.
const std::vector<std::string>& layer_setting_keys();

/// Applies the layer settings that \p object contains (and only those) to \p config,
/// validating each: act_algo, percentiles in [0.5, 1], search_range 0 < start < end,
/// search_step > 0, num_of_bins in [1024, 8192], hfmg_objective, asymmetric, wts_algo,
/// channel_wise, and "skip" (valid in override entries only; the caller checks the keys).
void apply_layer_settings(const ConfigValue& object, LayerQuantConfig& config);

/// Reads quantize_info's skip_layers, skip_layer_types and override_layer_configs (each
/// optional) and resolves them on top of \p common (priority: layer name > op type > common).
/// A layer or op type that is both skip-listed and overridden with "skip": false is an error.
LayerOverrides read_layer_overrides(const ConfigValue& quantize_info, const LayerQuantConfig& common);

}  // namespace ptqc
