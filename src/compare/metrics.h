#pragma once
/// \file
/// The error measures of ptqc-compare, over running sums in double so that pooling two
/// sample sets is adding their sums (docs/compare.md, "Metrics").

#include <cstdint>
#include <limits>
#include <span>

namespace ptqc {

/// Running sums of a reference r and a test t, element by element.
struct ErrorSums {
  double ref_sq = 0;   ///< Σ r²
  double test_sq = 0;  ///< Σ t²
  double dot = 0;      ///< Σ r t
  double err_sq = 0;   ///< Σ (r - t)²
  double abs_err = 0;  ///< Σ |r - t|
  double max_abs_err = 0;
  double ref_min = std::numeric_limits<double>::infinity();
  double ref_max = -std::numeric_limits<double>::infinity();
  int64_t count = 0;

  /// Adds the pairs (ref[i], test[i]). \pre ref.size() == test.size().
  void add(std::span<const float> ref, std::span<const float> test);

  /// Σ r t / sqrt(Σ r² Σ t²); 1 when both are all zero, 0 when exactly one is.
  double cosine() const;
  /// 10 log10(Σ r² / Σ (r - t)²); +inf when there is no error (also for two zero tensors),
  /// -inf when the reference is all zero and the test is not.
  double sqnr_db() const;
  /// 10 log10(R² / MSE) with MSE = Σ (r - t)² / count; +inf when MSE = 0.
  double psnr_db(double data_range) const;
  /// Σ |r - t| / count (0 when empty).
  double mean_abs_error() const;
  /// max r - min r (0 when empty).
  double ref_range() const;
};

/// Top-k agreement of \p test with \p ref read as rows of \p classes scores: a row agrees at
/// k when the reference's top-1 class (the first maximum) ranks below k in the test row,
/// ranking by score descending, ties by lower index first.
struct TopkCounts {
  int64_t rows = 0;
  int64_t top1_hits = 0;
  int64_t topk_hits = 0;
};
/// \pre classes > 0, ref.size() == test.size() a multiple of classes, k >= 1.
TopkCounts topk_agreement(std::span<const float> ref, std::span<const float> test, int64_t classes, int k);

}  // namespace ptqc

#include <string>

#include "ptqc/compare.h"

namespace ptqc {

/// Measures \p test against \p ref (any numeric types, compared as float) and appends the
/// result to \p output (taking its shape from the first sample). \p where names the pair in
/// messages ("output 'y' of sample 0003"); different shapes are an E19030 error.
void add_output_sample(OutputComparison& output, const Tensor& ref, const Tensor& test, const MetricOptions& options,
                       const std::string& where);

}  // namespace ptqc
