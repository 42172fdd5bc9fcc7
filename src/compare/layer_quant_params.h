#pragma once
/// \file
/// The quantization parameters of each quantized layer, as the INT8 graph applies them:
/// read from the .om's own nodes, or from the calibration record (quant_record.json)
/// after checking that the record belongs to the .om (docs/compare.md, "Parameters").

#include <string>
#include <vector>

#include "ptqc/compare.h"
#include "ptqc/graph.h"

namespace ptqc {

/// Fills each layer's params. From \p int8 (source "om"):
///   scale_d, from the AscendQuant that produces the layer's INT8 input (scale_d = 1 / scale), or
///     from a QAveragePool reading that input whose AscendDequant gives deq_scale = scale_d;
///   offset_d = the Q-op's x_offset;
///   for QBatchMatMul, offset_b = its b_offset and quant_scale_b from the AscendQuant of its input b;
///   scale_w[c] = deq_scale[c] / (alpha * scale_d) when an AscendDequant reads the layer's int32
///     output, or req_scale[c] * scale_d_out / (alpha * scale_d) when an AscendRequant does
///     (alpha: Gemm's, else 1).
/// An AscendRequant output keeps no scale of its own, so a layer next to one may stay unknown
/// (params.known = false, params.note says which value).
///
/// With \p record_path (quant_record.json or the folder holding it), every layer takes the
/// record's parameters (source "record"), after checking that the record belongs to the .om:
/// it must list every layer, with the .om's offset_d (and offset_w = b_offset) and the scales the .om determines
/// (relative difference <= 1e-5); otherwise E10001 names the layer. E19000 when the record
/// cannot be read, E19030 when it is malformed.
void read_layer_params(std::vector<LayerComparison>& layers, const Graph& fp32, const Graph& int8,
                       const std::string& record_path);

}  // namespace ptqc
