#pragma once
/// \file
/// Isolated sensitivity: the model-output error when only one layer runs in INT8 and the rest
/// of the FP32 graph stays float (docs/compare.md, "Isolated sensitivity").

#include <optional>
#include <vector>

#include "ptqc/compare.h"
#include "ptqc/graph.h"

namespace ptqc {

/// \p fp32_weights (the FP32 node \p node's weights, in its layout) rebuilt from the .om's INT8
/// weights \p int8_weights: w[i] = w_int8[i] * scale_w[channel(i)], in float32. Layouts:
/// Conv [M, C/g, k...] (channel: dim 0); ConvTranspose [C, M/g, k...] (channel of [c, j]:
/// (c / (C/g)) * (M/g) + j); Gemm/MatMul from QMatMul's [K, N] into B's [K, N], or [N, K] for
/// Gemm with transB (channel: n). \p scale_w holds one scale or one per output channel.
/// E19020 naming the node when the tensors or the scale count do not fit together.
Tensor dequantize_weights(const Node& node, const Tensor& fp32_weights, const Tensor& int8_weights,
                          const std::vector<float>& scale_w);

/// A quantized layer as the float simulation runs it, rebuilt from the .om.
struct SimulatedLayer {
  const LayerComparison* layer = nullptr;  ///< params.known
  Tensor weights;           ///< dequantize_weights of the .om's INT8 weights; empty for pooling
  /// The .om's int32 bias in float: bias_q[c] * alpha * scale_w[c] * scale_d (float32); empty
  /// when the Q-op has none. It replaces the FP32 bias, so bias correction is simulated too.
  std::vector<float> bias;
};

/// The SimulatedLayer of \p layer, or nullopt with \p note saying why it cannot be rebuilt.
std::optional<SimulatedLayer> simulated_layer(const LayerComparison& layer, const Graph& fp32, const Graph& int8,
                                              std::string& note);

/// \p fp32 with every layer of \p layers simulated in INT8 ("fake quantization"): its input
/// activation goes through AscendQuant(quant_scale, offset_d) -> AscendDequant(scale_d, offset_d),
/// i.e. x' = (sat_int8(round_half_even(x * quant_scale) + offset_d) - offset_d) * scale_d, and a
/// QBatchMatMul's second input likewise with (quant_scale_b, offset_b, scale_w[0]);
/// its weights are the rebuilt weights and its bias the .om's (added after the op, broadcast
/// over the channel axis: 1 for convolutions, the last for Gemm/MatMul); a pooling layer's
/// output is fake-quantized the same way (QAveragePool's output keeps its input's quantization).
/// Everything else, requantization included, is float: an AscendRequant between two layers is
/// the next layer's input fake quantization.
Graph simulate_layers(const Graph& fp32, const std::vector<SimulatedLayer>& layers);

/// Sets isolated_sqnr_db of every layer whose parameters are known (isolated_note otherwise):
/// the SQNR of the isolated graph's float outputs against \p reference, pooled over all
/// outputs and samples. \p inputs and \p reference are per sample, in graph order.
void measure_isolated_sensitivity(std::vector<LayerComparison>& layers, const Graph& fp32, const Graph& int8,
                                  const std::vector<std::vector<Tensor>>& inputs,
                                  const std::vector<std::vector<Tensor>>& reference, int threads);

}  // namespace ptqc
