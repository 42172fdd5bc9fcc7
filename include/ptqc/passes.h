#pragma once
/// \file
/// Graph passes. Each pass is small, keeps the graph valid (topologically
/// ordered, every read value produced) and returns how many nodes it changed.

#include <functional>
#include <vector>

#include "ptqc/graph.h"

namespace ptqc {

/// Evaluates one node on constant inputs (the runtime's evaluate_node).
using NodeEvaluator = std::function<std::vector<Tensor>(const Node&, int64_t opset, const std::vector<const Tensor*>&)>;

/// Replaces Identity nodes and inference-mode Dropout nodes (mask unused) by
/// their input. A graph output keeps its name: the producer is renamed instead.
size_t remove_identities(Graph& graph);

/// Evaluates every node whose inputs are all constants and turns its outputs
/// into initializers. Shape and Size of values with a fully static inferred
/// shape become constants too, so exporter shape subgraphs
/// (Shape -> Gather -> Concat -> Reshape) fold away. Non-deterministic ops are kept.
size_t fold_constants(Graph& graph, const NodeEvaluator& evaluate);

/// Removes nodes none of whose outputs reach a graph output, and unused initializers.
size_t eliminate_dead_code(Graph& graph);

/// Folds inference BatchNormalization into the Conv, ConvTranspose or Gemm
/// that feeds it (constant weights, the BN being its only reader):
///   s[c] = gamma[c] / sqrt(var[c] + eps),  W'[c] = W[c] * s[c],  b'[c] = (b[c] - mean[c]) * s[c] + beta[c].
size_t fold_batch_norms(Graph& graph);

/// Replaces Mul(x, Sigmoid(x)) (SiLU/Swish, as exporters write it) by one ptqc.Swish
/// node y = x * sigmoid(x) when the Sigmoid has no other reader: one pass over memory
/// instead of two. The Mul's output name is kept.
size_t fuse_swish(Graph& graph);

/// Replaces Mul(x, HardSigmoid(x; alpha = 1/6, beta = 1/2)) (hard-swish, as exporters before
/// opset 14 write it) by one HardSwish node when the HardSigmoid has no other reader; the same
/// float32 values in one pass. The Mul's name and output are kept.
size_t fuse_hard_swish(Graph& graph);

/// The standard pipeline: identities, constant folding, BN folding, dead code,
/// repeated until nothing changes; then activation fusion.
void optimize(Graph& graph, const NodeEvaluator& evaluate);

}  // namespace ptqc
