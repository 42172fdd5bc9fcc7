#pragma once
/// \file
/// Which layers of an INT8 graph are quantized, which FP32 node each one replaces, and at
/// which shared value its cumulative error is read (docs/compare.md, "Per layer").

#include <map>
#include <string>
#include <vector>

#include "ptqc/compare.h"
#include "ptqc/graph.h"

namespace ptqc {

/// True for the INT8 layer ops of docs/quantization.md (QConv, QConvTranspose, QMatMul, QBatchMatMul, QAveragePool).
bool is_quantized_layer(const Node& node);

/// The quantized layers of \p int8 in its node order, each with the FP32 node of the same name
/// in \p fp32: op type, input activation (its input 0) and output value (its output 0).
/// Layers without a namesake in \p fp32 are left out (logged). Parameters are not filled in.
std::vector<LayerComparison> match_quantized_layers(const Graph& fp32, const Graph& int8);

/// Sets each layer's compared_value and cumulative error: its output value when \p measured
/// has it, else the first value of \p measured downstream of it in \p fp32's node order
/// (compared_downstream = true); none when nothing downstream was measured.
void attach_cumulative_errors(std::vector<LayerComparison>& layers, const Graph& fp32,
                              const std::map<std::string, ValueError>& measured);

}  // namespace ptqc
