#pragma once
/// \file
/// The kernels of ptqc's INT8 ops (domain "ptqc", docs/quantization.md), as the
/// registry sees them. Each runs the fast path for detected_int8_isa(), or under
/// KernelSet::kReference the reference implementations beside them (qconv.h, qmatmul.h,
/// qpool.h, quantize.h).

#include "runtime/op_context.h"

namespace ptqc {

void ascend_quant(OpContext& ctx);     // quant_ops.cpp
void ascend_dequant(OpContext& ctx);   // quant_ops.cpp
void ascend_requant(OpContext& ctx);   // quant_ops.cpp
void qconv(OpContext& ctx);            // qconv.cpp
void qconv_transpose(OpContext& ctx);  // qconv_transpose.cpp
void qmatmul(OpContext& ctx);          // qmatmul.cpp
void qbatch_matmul(OpContext& ctx);    // qmatmul.cpp
void qaverage_pool(OpContext& ctx);    // qpool.cpp

}  // namespace ptqc
