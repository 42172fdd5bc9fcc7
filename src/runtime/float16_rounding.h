#pragma once
/// \file
/// FP16 storage of activations (--precision_mode=force_fp16): the NPU keeps every
/// non-INT8 activation in FP16, so the CPU runtime rounds each float32 result to
/// the nearest FP16 value (ties to even) to reproduce that precision.

#include <cstdint>

#include "ptqc/tensor.h"

namespace ptqc {

/// Rounds every element of a float32 tensor to the nearest float16 value, in place, the
/// work shared out among \p threads (the result does not depend on them).
void round_to_float16(Tensor& t, int threads = 1);

/// Rounds p[0 .. n) to the nearest float16 values, in place: what round_to_float16 does to
/// each element, for kernels that round their outputs as they store them.
void round_span_to_float16(float* p, int64_t n);

}  // namespace ptqc
