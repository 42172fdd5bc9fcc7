#pragma once
/// \file
/// Node <-> OpDef: name, type, domain, input/output value names and attributes.
/// Tensor attributes live in WEIGHTS_DATA (stored exactly, never as FP16).

#include <string>
#include <string_view>
#include <vector>

#include "om/weights.h"
#include "proto/ptqc_om.pb.h"
#include "ptqc/graph.h"
#include "ptqc/om.h"

namespace ptqc {

/// \p node as an OpDef, attributes in name order; tensor attributes appended to \p weights.
void encode_op(const Node& node, WeightsWriter& weights, proto::OpDef& def);

/// The node \p def describes. Every attribute must hold a value and occur once, tensor
/// attributes must pass read_weight; their summaries are appended to \p weight_list.
/// E19020 naming \p origin otherwise.
Node decode_op(const proto::OpDef& def, std::string_view weights, const std::string& origin,
               std::vector<OmWeight>& weight_list);

}  // namespace ptqc
