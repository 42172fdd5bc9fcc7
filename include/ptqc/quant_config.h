#pragma once
/// \file
/// The quantization config (`--quantization_config=quant.json`, docs/config.md): the
/// seed's schema (dataset_info, model_info.input_tensor_info, quantize_info) plus ptqc's
/// optional extensions under quantize_info (activation and weight algorithms, skipped
/// layers, per-layer overrides). load_quant_config validates everything it reads, so the
/// calibration code can trust a QuantConfig.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ptqc/graph.h"
#include "ptqc/range_config.h"
#include "ptqc/tensor.h"

namespace ptqc {

/// dataset_info. Paths are resolved against the config file's folder (absolute paths are kept).
struct DatasetInfo {
  std::string dataset_name;     ///< informational
  std::string dataset_path;     ///< folder the list file's sample paths are relative to
  std::string image_list_file;  ///< one sample per line, one column per input
  std::string list_key = "dataset_info.image_list_file";  ///< the config key that names image_list_file (messages)
  std::string out_file_path;    ///< where calibration results go; empty when the config does not say
};

/// input_type: an image (decoded, resized, normalized) or a raw tensor file.
enum class InputType { kImage, kData };
/// net_format: the layout of the model input.
enum class NetFormat { kNCHW, kNHWC, kND };

/// One entry of model_info.input_tensor_info.
struct InputTensorInfo {
  int64_t index = 0;       ///< column of the list file (entries are sorted by it, indices are 0..n-1)
  std::string input_name;  ///< a graph input of the model
  InputType input_type = InputType::kData;
  NetFormat net_format = NetFormat::kNCHW;
  /// "data": element type of the file; "img": the normalized values are rounded to this
  /// type (FP16 rounding, or round-to-nearest-even and saturation for integer types).
  DataType output_data_type = DataType::kFloat32;
  std::vector<float> mean;  ///< per channel (or one for all); empty = 0
  std::vector<float> std;   ///< per channel (or one for all), never 0; empty = 1
};

/// The settings that decide how one layer is calibrated and quantized.
struct LayerQuantConfig {
  RangeAlgorithmConfig activation;
  WeightAlgorithm weight_algorithm = WeightAlgorithm::kArq;
  /// Per-channel weight scales for Gemm/MatMul too (Conv/ConvTranspose are always per channel).
  bool channel_wise = false;
  /// The layer stays in float (skip_layers, skip_layer_types, or an override's "skip").
  bool skip = false;
};

/// The layers that quantize_info singles out (override_layer_configs, skip_layers,
/// skip_layer_types), resolved key by key at load time: common <- op type <- layer name.
struct LayerOverrides {
  /// op type ("Conv") -> common with that op type's override applied.
  std::map<std::string, LayerQuantConfig> by_op_type;
  /// node name -> op type -> common <- that op type's override <- the node's override.
  /// The "" entry serves nodes whose op type has no override of its own.
  std::map<std::string, std::map<std::string, LayerQuantConfig>> by_layer_name;
  /// Where the config names each layer or "OpType::X" (e.g. "quantize_info.skip_layers[2]").
  std::map<std::string, std::string> source_keys;
};

/// The metric of quantize_info.accuracy_target (docs/config.md).
enum class AccuracyMetric { kCosine, kSqnrDb, kTop1Agreement, kPsnrDb };

/// quantize_info.accuracy_target: automatic mixed precision. The compiler keeps the fewest
/// layers in float such that \p metric of the INT8 model against FP32 is at least \p value on
/// every selected output (docs/algorithms.md, "Mixed precision").
struct AccuracyTarget {
  AccuracyMetric metric = AccuracyMetric::kCosine;
  double value = 0;
  std::string output;          ///< the graph output to judge; "" = every float output
  std::string eval_list_file;  ///< held-out samples (lines relative to dataset_path); "" = hold out part of the calibration list
  std::string key_path;        ///< "quantize_info.accuracy_target" (for messages)
};

/// A validated quantization config.
struct QuantConfig {
  std::string config_path;  ///< the file it was read from (for messages)
  DatasetInfo dataset;
  std::vector<InputTensorInfo> inputs;  ///< sorted by index
  /// Batches to calibrate on; -1 = every full batch of the list file.
  int64_t calibration_batch_num = -1;
  LayerQuantConfig common;
  LayerOverrides overrides;
  /// quantize_info.bias_correction: shift each INT8 layer's bias by the mean error of its
  /// output on the calibration data (docs/algorithms.md, "Bias correction").
  bool bias_correction = true;
  /// quantize_info.exact_input_quantization: an "img" input whose channels share one mean and
  /// one std gets the range [(0 - mean) / std, (255 - mean) / std] in every layer that reads it,
  /// so its 256 pixel values are 256 distinct INT8 codes (docs/algorithms.md, "Exact input").
  bool exact_input_quantization = true;
  /// quantize_info.activation_matmul: MatMuls of two activations (attention's Q·Kᵀ and P·V)
  /// run in INT8 too, both inputs calibrated (docs/quantization.md, "QBatchMatMul").
  bool activation_matmul = false;
  /// quantize_info.cross_layer_equalization: equalize the per-channel weight ranges of
  /// consecutive INT8 convolutions before calibration (docs/algorithms.md §15).
  bool cross_layer_equalization = false;
  std::optional<AccuracyTarget> accuracy_target;

  /// The settings of node \p node_name of type \p op_type (priority: layer name > op type > common).
  const LayerQuantConfig& for_layer(const std::string& node_name, const std::string& op_type) const;

  /// Checks that every layer name the config mentions is a node of \p graph: E10001 naming the
  /// config key and suggesting the closest node name. An "OpType::X" that matches no node only
  /// logs a warning (a config may serve several models).
  void check_layer_names(const Graph& graph) const;

  /// A canonical, stable text of every setting that affects calibration results (dataset
  /// paths, inputs and their preprocessing, batch count, every layer's resolved settings),
  /// and of nothing else (dataset_name and out_file_path are left out). Two configs with the
  /// same fingerprint calibrate the same model on the same files identically.
  std::string fingerprint() const;

  /// The exact pixel-grid range of each graph input that exact_input_quantization applies to
  /// (img inputs with one mean and one std for all channels), by input name.
  std::map<std::string, ActivationRange> exact_input_ranges() const;
};

/// Reads and validates the config at \p path. `//` and `/* */` comments are accepted.
/// Errors: E19000 when the file cannot be read; E10007 for a missing required key; E10001 for
/// anything else (malformed JSON with its line and column, an unknown key with the closest
/// valid one, a wrong type or value), each naming the file and the JSON path.
QuantConfig load_quant_config(const std::string& path);

/// load_quant_config on the file content \p text, already read (\p path names it and its
/// folder resolves the relative paths).
QuantConfig parse_quant_config(const std::string& path, const std::string& text);

}  // namespace ptqc
