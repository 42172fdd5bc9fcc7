#pragma once
/// \file
/// FP16 storage of activations (--precision_mode=force_fp16): the NPU keeps every
/// non-INT8 activation in FP16, so the CPU runtime rounds each float32 result to
/// the nearest FP16 value (ties to even) to reproduce that precision.

#include "ptqc/tensor.h"

namespace ptqc {

/// Rounds every element of a float32 tensor to the nearest float16 value, in place.
void round_to_float16(Tensor& t);

}  // namespace ptqc
