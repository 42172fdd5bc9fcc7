#pragma once
/// \file
/// Graph + OmMetadata <-> the MODEL_DEF partition's ModelDef message.

#include <string>
#include <string_view>
#include <vector>

#include "om/weights.h"
#include "proto/ptqc_om.pb.h"
#include "ptqc/graph.h"
#include "ptqc/om.h"

namespace ptqc {

/// \p graph and \p meta as a ModelDef. Constants go to \p weights in order of first use
/// (node order, then input order, then tensor attributes by name), constants no node
/// reads last, by name; float32 constants may be stored as FP16 (OmMetadata).
void encode_model_def(const Graph& graph, const OmMetadata& meta, WeightsWriter& weights, proto::ModelDef& def);

/// What MODEL_DEF and WEIGHTS_DATA hold.
struct DecodedModel {
  OmMetadata meta;
  Graph graph;
  std::vector<OmWeight> weights;  ///< In WEIGHTS_DATA order.
};

/// The graph and metadata of \p def with its tensors read from \p weights. Checks the
/// schema version, value types and shapes, weight references (read_weight), duplicate
/// names, and that the graph is valid (ptqc::validate). E19020 naming \p origin otherwise.
DecodedModel decode_model_def(const proto::ModelDef& def, std::string_view weights, const std::string& origin);

}  // namespace ptqc
