#pragma once
/// \file
/// ExecutionPlan <-> the TASK_INFO partition's TaskInfoDef message.

#include <string>

#include "proto/ptqc_om.pb.h"
#include "ptqc/graph.h"
#include "ptqc/om.h"

namespace ptqc {

void encode_task_info(const ExecutionPlan& plan, proto::TaskInfoDef& def);

/// The plan \p def holds, checked against \p graph before the runtime may rely on it:
/// one task per op with the op's name and kernel, one placement per op output with the
/// output's name and lifetime, every planned value 64-byte aligned, exactly its static
/// size, inside the arena, and sharing no byte with a value whose lifetime meets its own.
/// E19020 naming \p origin otherwise.
ExecutionPlan decode_task_info(const proto::TaskInfoDef& def, const Graph& graph, const std::string& origin);

}  // namespace ptqc
