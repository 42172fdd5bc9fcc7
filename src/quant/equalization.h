#pragma once
/// \file
/// Cross-layer equalization (quantize_info.cross_layer_equalization; docs/algorithms.md §15):
/// rescales the output channels of one convolution and the matching input channels of the
/// next so that both layers' per-channel weight ranges are equal, before anything is
/// calibrated or quantized. Exact in real arithmetic: the model's outputs do not change.
///
/// A pair is P → [Relu | LeakyRelu | MaxPool]* → C where P and C are Convs with constant
/// float32 weights, every value between them has exactly one reader and is no graph output,
/// and C reads all of P's channels (group 1) or one each (depthwise, one filter per channel).
/// Those ops commute with a positive per-channel scale s: f(x / s) = f(x) / s. For channel c,
/// with r1 = max |W_P[c, ...]| and r2 = max over C's weights reading channel c of |W_C|,
///
///   s_c = sqrt(r1 / r2),  W_P[c] /= s_c,  b_P[c] /= s_c,  W_C[.., c, ..] *= s_c
///
/// leaves both ranges at sqrt(r1 · r2) (Nagel et al., "Data-Free Quantization", 2019). A
/// layer in a chain belongs to two pairs; sweeps over all pairs repeat until every scale is
/// within 1e-4 of 1 (at most kMaxSweeps). The result depends only on the graph and the set
/// of eligible layers, so ptqc-compare can redo it on the FP32 model.

#include <functional>
#include <string>
#include <vector>

#include "ptqc/graph.h"

namespace ptqc {

/// One equalized pair: producer and consumer node names.
struct EqualizedPair {
  std::string producer;
  std::string consumer;
};

struct EqualizationSummary {
  std::vector<EqualizedPair> pairs;
  int sweeps = 0;
  double largest_scale = 1.0;  ///< max over channels of max(s, 1/s) in the first sweep
};

/// The names of every layer of \p summary (producers and consumers), sorted and unique: what
/// the .om records, and what equalize_cross_layer needs to redo the same equalization.
std::vector<std::string> equalized_layers(const EqualizationSummary& summary);

/// Equalizes every pair of \p graph whose two layers satisfy \p eligible, in place (the weights
/// and biases of those layers; nothing else changes). Weights or biases that other nodes also
/// read are left alone (that pair is not equalized).
EqualizationSummary equalize_cross_layer(Graph& graph, const std::function<bool(const Node&)>& eligible);

}  // namespace ptqc
