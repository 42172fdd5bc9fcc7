#pragma once
/// \file
/// How the fast INT8 kernels run (Int8Run), and the input and attribute checks the INT8
/// kernels (domain ptqc) share.

#include <cstdint>
#include <string>

#include "runtime/kernels/int8/int8_isa.h"
#include "runtime/op_context.h"

namespace ptqc {

/// How a fast INT8 kernel runs: its instruction set, its threads (the result never depends
/// on them) and where its scratch buffers come from.
struct Int8Run {
  Int8Isa isa = Int8Isa::kScalar;
  int threads = 1;
  BufferAllocator& allocator;
};

/// The run of a kernel called through \p ctx: the CPU's instruction set (scalar under
/// KernelSet::kReference), ctx's threads and allocator.
Int8Run int8_run(OpContext& ctx);

/// Throws E19999 unless weights packed for \p packed serve a run on \p run (a caller's bug).
void expect_packed_for(Int8Isa packed, Int8Isa run);

/// The int attribute \p key (absent: 0) as a quantization offset; outside [-128, 127] fails the node.
int32_t offset_attribute(const OpContext& ctx, const std::string& key);

/// The `scale` (1 / scale_d: finite, > 0, required) and `offset` of an AscendQuant node.
struct QuantizeParams {
  float scale = 1.0f;
  int32_t offset = 0;
};
QuantizeParams quantize_attributes(const OpContext& ctx);

/// Fails the node unless \p t (named \p what in the message) has element type \p dtype.
void expect_dtype(const OpContext& ctx, const Tensor& t, DataType dtype, const std::string& what);

/// The optional int32 bias input \p i: nullptr when absent; fails the node unless it has shape [channels].
const int32_t* bias_input(const OpContext& ctx, size_t i, int64_t channels);

}  // namespace ptqc
