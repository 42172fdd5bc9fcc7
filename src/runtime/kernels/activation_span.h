#pragma once
/// \file
/// Activations as float32 span functions, y[i] = f(x[i]) for i < n, whose every element is a
/// function of its input alone (not of n, alignment or position): the op's kernel and an INT8
/// product's output stage (int8/output_stage.h), which applies it tile by tile, give the same bits.

#include <cstdint>

#include "ptqc/graph.h"

namespace ptqc {

/// y[i] = f(x[i]) for i < n; x == y is allowed.
using FloatSpanFn = void (*)(const float* x, int64_t n, float* y);

/// ptqc.Swish: x · sigmoid(x) with Eigen's vectorised logistic, a whole packet at a time (a
/// partial last packet is padded, so every element takes the same path).
void swish_span(const float* x, int64_t n, float* y);

/// HardSwish: x · max(0, min(1, x / 6 + 1/2)), as (1/6) · x + 0.5 in float32.
void hard_swish_span(const float* x, int64_t n, float* y);

/// The span function of \p node's activation for float32 inputs (ptqc.Swish, HardSwish), or
/// nullptr when it has none.
FloatSpanFn float_activation_span(const Node& node);

}  // namespace ptqc
