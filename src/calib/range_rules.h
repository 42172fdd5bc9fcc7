#pragma once
/// \file
/// The range rules behind the activation observers, one per file (minmax.cpp,
/// percentile.cpp, ifmr.cpp, hfmg.cpp): pure functions of the statistics an observer
/// keeps, so tests can call them on a hand-built histogram.

#include <memory>

#include "calib/histogram.h"
#include "calib/range_algorithms.h"

namespace ptqc {

/// [-a, a] with a = max(|range.min|, |range.max|).
ActivationRange symmetric_range(ActivationRange range);

/// The observer of act_algo "minmax": the exact extremes, O(1) memory (minmax.cpp).
std::unique_ptr<ActivationObserver> make_minmax_observer(bool asymmetric);

/// Percentile clip (percentile.cpp).
ActivationRange percentile_range(const Histogram& histogram, const RangeAlgorithmConfig& config);

/// IFMR: percentile start, grid search of a clip factor minimizing the MSE (ifmr.cpp).
ActivationRange ifmr_range(const Histogram& histogram, const RangeAlgorithmConfig& config);

/// HFMG: search of the clip range over bin edges minimizing MSE or KL divergence (hfmg.cpp).
ActivationRange hfmg_range(const Histogram& histogram, const RangeAlgorithmConfig& config);

}  // namespace ptqc
