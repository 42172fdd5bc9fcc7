#pragma once
/// \file
/// Learned weight rounding (wts_algo "adaround"): each INT8 weight rounds down or up, whichever
/// makes the layer's output closer to the float layer's on the calibration data, instead of to
/// the nearest grid point. For one output channel with float weights w, scale s and INT8
/// weights q, the output error over the layer's input patches x is
///   L(q) = E[((w - s q) · x)²] = eᵀ H e,   e = w - s q,   H = E[x xᵀ]
/// (the reconstruction objective of AdaRound, Nagel et al. 2020, without its relaxation). H is
/// accumulated from the float model's input to the layer (im2col patches of a Conv, rows of a
/// MatMul/Gemm input); q starts at nearest rounding and coordinate descent flips single weights
/// between floor(w/s) and floor(w/s) + 1 (inside [-127, 127]) while L decreases:
///   flipping q_i by d changes L by  -2 s d (H e)_i + s² d² H_ii.
/// Scales, ranges and the graph form are unchanged; the result is deterministic.

#include <map>
#include <set>
#include <string>

#include "calib/calibration_runner.h"
#include "quant/layer_solver.h"

namespace ptqc {

struct WeightRoundingSummary {
  size_t layers = 0;             ///< layers whose rounding was learned
  size_t skipped = 0;            ///< asked for but not supported (listed in the log)
  int64_t flipped = 0;           ///< weights moved off nearest rounding
  double nearest_error = 0;      ///< Σ over layers of L(nearest) / Σ wᵀHw
  double learned_error = 0;      ///< the same after learning
};

/// Learns the rounding of the layers named in \p layers (Conv 1-D/2-D, MatMul, Gemm) from one
/// pass of \p float_graph over \p batches; updates their INT8 weights in \p solved.
WeightRoundingSummary learn_weight_rounding(const Graph& float_graph, std::map<std::string, SolvedLayer>& solved,
                                            const std::set<std::string>& layers, const BatchSource& batches, int threads);

}  // namespace ptqc
