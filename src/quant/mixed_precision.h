#pragma once
/// \file
/// Automatic mixed precision under an accuracy target (quantize_info.accuracy_target): the
/// fewest quantizable layers to keep in float so that the model's metric reaches the target.
///
/// Search, given an evaluator m(F) = the metric with the layers of F in float (higher is better):
///  1. m(∅): every layer INT8. Done when it meets the target.
///  2. m(all): every layer float. When even that misses the target, the search stops (the
///     caller reports the best reachable value).
///  3. Isolated sensitivity: s_L = m(all \ {L}), the metric with only L in INT8; layers are
///     ranked most harmful first (lowest s_L; ties, common with a discrete metric such as
///     top-1 agreement, by lower cost first, i.e. the layer whose float form costs least
///     -- its MACs --, then by graph order).
///  4. Bisection on k: the smallest prefix of the ranking (top-k kept float) that meets the
///     target, assuming m grows with k; every accepted set is one that was evaluated.
///  5. Pruning: each layer of that prefix, least harmful first, goes back to INT8 when the
///     target still holds without it.
/// Evaluations: 2 + n + ceil(log2 n) + k at most, for n layers and k kept in float.

#include <functional>
#include <set>
#include <string>
#include <vector>

namespace ptqc {

/// The metric with the layers of the argument kept in float (higher is better).
using PrecisionEvaluator = std::function<double(const std::set<std::string>& float_layers)>;

struct PrecisionSearch {
  std::vector<std::string> float_layers;  ///< kept in float, most harmful first
  double reached = 0;                     ///< the metric with float_layers in float
  double all_int8 = 0;                    ///< with every layer INT8
  double all_float = 0;                   ///< with every layer float (NaN when not evaluated)
  /// s_L for each layer (graph order; empty when step 3 was not needed).
  std::vector<std::pair<std::string, double>> isolated;
  int evaluations = 0;
  bool met = false;
};

/// Runs the search over \p layers (graph order) for \p target. \p costs (one per layer, or
/// empty for all equal) break ties in the ranking.
PrecisionSearch search_float_layers(const std::vector<std::string>& layers, double target,
                                    const PrecisionEvaluator& evaluate, const std::vector<double>& costs = {});

}  // namespace ptqc
