#pragma once
/// \file
/// The INT8 rewrite: each solved layer becomes AscendQuant -> Q-op -> AscendDequant
/// (docs/quantization.md); the layer's original output name is kept, so readers and
/// graph outputs are untouched. Then AscendRequant joins consecutive INT8 layers.

#include <map>
#include <string>
#include <vector>

#include "ptqc/graph.h"
#include "quant/layer_solver.h"

namespace ptqc {

/// Rewrites the layers of \p solved (keyed by node name) in \p graph. \p shapes gives
/// the calibrated type/shape of values (to resolve auto_pad and annotate new values).
/// Layers whose padding cannot be resolved stay float; their names are returned.
std::vector<std::string> rewrite_to_int8(Graph& graph, const std::map<std::string, SolvedLayer>& solved,
                                         const std::map<std::string, ValueInfo>& shapes);

/// Replaces AscendDequant -> [Relu ->] [moving ops ->] AscendQuant chains whose intermediate
/// values have no other reader by one AscendRequant (req_scale[c] = deq_scale[c] * quant scale,
/// in float32; relu = 1 when a Relu was between). Moving ops (ValueCopy::kFirstInput with one
/// output: MaxPool, Transpose, Reshape, ...; deq_scale > 0) then move the Requant's int8
/// output. Returns how many were joined. \post the caller sorts the graph again
/// (topological_sort): the moved ops follow their Requant.
size_t fuse_requant(Graph& graph);

}  // namespace ptqc
