#pragma once
/// \file
/// The streaming histogram that the histogram-based range algorithms (percentile, IFMR,
/// HFMG) read. It holds O(num_bins) numbers whatever the number of calibration batches,
/// and its final state depends only on the multiset of values added, never on the batch
/// order or batch split (docs/algorithms.md, "Histogram").

#include <cstdint>
#include <span>
#include <vector>

#include "calib/range_algorithms.h"

namespace ptqc {

/// The smallest and largest of \p values. Throws E19030 when one of them is NaN or infinite.
/// \pre values is not empty.
ActivationRange value_extent(std::span<const float> values);

/// A histogram of float values with `num_bins` bins of width w = 2^k over
/// [origin * w, (origin + num_bins) * w), origin an integer, so 0 is always a bin edge.
///
/// Invariants (they make the histogram exact and order independent):
/// - w is the smallest power of two for which the values' extent widened to contain 0,
///   [a, b], fits: floor(b / w) - floor(a / w) < num_bins; origin = floor(a / w).
///   So [a, b] spans more than (num_bins - 1) / 2 bins (w / 2 would not fit).
/// - A non-zero value v is counted in bin floor(v / w) - origin (exact in double: w is a
///   power of two). Zeros are counted apart (zero_count), as a point mass at 0: they are
///   exact in every quantization and dominate ReLU outputs.
/// - When a batch exceeds [a, b], w doubles until the new extent fits; each old bin lies
///   inside one new bin, so the old counts move without splitting.
class Histogram {
 public:
  /// \pre num_bins >= 2.
  explicit Histogram(int64_t num_bins);

  /// Adds \p values. Throws E19030 when one of them is NaN or infinite.
  void add(std::span<const float> values);

  int64_t num_bins() const { return static_cast<int64_t>(counts_.size()); }
  /// w; 0 while no non-zero value has been added.
  double bin_width() const { return width_; }
  /// Edge i (the left edge of bin i; edge num_bins() closes the last bin): (origin + i) * w.
  double edge(int64_t i) const { return static_cast<double>(origin_ + i) * width_; }
  /// The index of the edge at 0, in [0, num_bins).
  int64_t zero_edge() const { return -origin_; }
  /// Non-zero values per bin.
  const std::vector<uint64_t>& counts() const { return counts_; }
  uint64_t zero_count() const { return zero_count_; }
  uint64_t total_count() const { return total_count_; }
  uint64_t nonzero_count() const { return total_count_ - zero_count_; }
  /// The exact smallest and largest value added ([0, 0] while empty).
  ActivationRange observed() const { return observed_; }

  /// The value v below which a fraction \p fraction of the values lie, reading the histogram
  /// as a point mass zero_count() at 0 plus each bin's count spread uniformly over the bin
  /// (so v is exact to within one bin width), clamped to observed(). 0 while empty.
  /// \pre 0 <= fraction <= 1.
  double quantile(double fraction) const;

 private:
  /// Re-bins the counts so that [a, b] (a <= 0 <= b, a < b) fits (see the class invariants).
  void cover(double a, double b);

  std::vector<uint64_t> counts_;
  double width_ = 0.0;
  int64_t origin_ = 0;
  uint64_t zero_count_ = 0;
  uint64_t total_count_ = 0;
  ActivationRange observed_;
};

}  // namespace ptqc
