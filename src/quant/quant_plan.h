#pragma once
/// \file
/// Which ops of a float graph become INT8, and why the others stay in float.

#include <functional>
#include <string>
#include <vector>

#include "calib/range_algorithms.h"
#include "ptqc/graph.h"
#include "ptqc/soc.h"

namespace ptqc {

/// The quantization settings of one layer, after the config's overrides.
struct LayerSettings {
  bool skip = false;          ///< skip_layers / skip_layer_types / override "skip" / --keep_dtype
  std::string skip_reason;    ///< shown in the report when skip is set
  RangeAlgorithmConfig activation;
  WeightAlgorithm weights = WeightAlgorithm::kArq;
  bool channel_wise = false;  ///< per-channel weights for Gemm/MatMul (Conv is always per channel)
  /// quantize_info.activation_matmul: a MatMul of two activations (attention's Q·Kᵀ, P·V)
  /// becomes a QBatchMatMul, both inputs calibrated (docs/quantization.md).
  bool activation_matmul = false;
};

/// True when \p node's op has an INT8 form for an activation as input 1 (MatMul) and its input 1
/// is not a constant: an activation × activation product.
bool is_activation_matmul(const Graph& graph, const Node& node);

/// Settings for a node (resolves the config's priority: layer name > op type > common).
using LayerSettingsFn = std::function<LayerSettings(const Node& node)>;

/// The decision for one op of the graph.
struct LayerDecision {
  std::string node;
  std::string op_type;
  bool quantized = false;
  std::string reason;  ///< why it stays in float (empty when quantized)
  LayerSettings settings;
};

/// One decision per node of \p graph, in node order. A node is quantized when its op
/// has quantization traits in the op registry (runtime/quant_traits.h), the SoC has INT8 cube math, its weights are constant float32
/// of a supported layout (or, with activation_matmul, it is an activation × activation
/// MatMul), and its settings do not skip it.
std::vector<LayerDecision> plan_quantization(const Graph& graph, const SocInfo& soc, const LayerSettingsFn& settings);

}  // namespace ptqc
