#pragma once
/// \file
/// The scale/offset solver for one layer: activation parameters from its calibrated
/// range, INT8 weights with per-channel scales, INT32 bias and dequant scales
/// (docs/quantization.md).

#include <string>
#include <vector>

#include "calib/range_algorithms.h"
#include "ptqc/graph.h"
#include "quant/quant_plan.h"
#include "runtime/quant_traits.h"

namespace ptqc {

/// AMCT's record of one quantized layer, plus the range it came from.
struct LayerQuantRecord {
  std::string layer;       ///< node name
  std::string op_type;
  std::string activation;  ///< the quantized input value
  ActivationRange range;
  float scale_d = 1.0f;
  int32_t offset_d = 0;
  std::vector<float> scale_w;  ///< empty for pooling layers
  /// An activation × activation MatMul's second input (QBatchMatMul's b), empty for other
  /// layers. Its scale is scale_w[0] and its offset offset_w: AMCT's record of a layer's
  /// weights, whose place it takes.
  std::string activation_b;
  ActivationRange range_b;
  int32_t offset_w = 0;
};

/// A layer ready for the INT8 rewrite.
struct SolvedLayer {
  LayerQuantRecord record;
  Tensor weights;                  ///< int8: Conv/ConvTranspose in their own layout, QMatMul as [K, N]
  Tensor bias;                     ///< int32 per output channel; empty when the layer has none
  std::vector<float> deq_scale;    ///< alpha * scale_w[c] * scale_d (float32), one per output channel or one
};

/// \p v rounded half to even and saturated to int32 (the rounding of every int32 bias).
int32_t saturate_int32(double v);

/// The layout of quantized layer \p node's float weights \p w (its op's quantization traits);
/// E19999 (internal) when there is none: the quantization plan accepted only layouts that fit.
WeightLayout require_weight_layout(const Node& node, const Tensor& w);

/// Solves \p node (a quantizable op whose plan said yes) for activation range \p range:
///   scale_d, offset_d from the range; w_q = quantize_weights(w) per output channel
///   (per tensor for Gemm/MatMul unless channel_wise); deq_scale[c] = alpha * scale_w[c] * scale_d;
///   bias_q[c] = sat_int32(round_half_even(beta * b[c] / deq_scale[c])) computed in float64.
SolvedLayer solve_layer(const Graph& graph, const Node& node, const LayerSettings& settings, ActivationRange range);

/// Solves the activation × activation MatMul \p node for input ranges \p a and \p b: each input
/// gets (scale, offset) from its range like any activation; no weights, no bias;
/// deq_scale = {scale_a * scale_b}; record.scale_w = {scale_b}, record.offset_w = offset_b.
SolvedLayer solve_activation_matmul(const Node& node, const LayerSettings& settings, ActivationRange a, ActivationRange b);

}  // namespace ptqc
