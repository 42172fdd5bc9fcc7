#pragma once
/// \file
/// Histograms of the FP32 values of each quantized activation over the per-layer samples,
/// with the clip range each quantizing layer chose (docs/compare.md, "Histograms").

#include <map>
#include <string>
#include <vector>

#include "calib/histogram.h"
#include "ptqc/compare.h"

namespace ptqc {

class ActivationHistograms {
 public:
  /// One histogram per distinct activation of \p layers, with \p num_bins bins.
  ActivationHistograms(const std::vector<LayerComparison>& layers, int64_t num_bins = 128);

  /// Call from the FP32 run's observer; adds \p tensor when \p value is a quantized activation.
  /// A tensor with a NaN or infinite value stops its histogram (noted in the result).
  void observe(const std::string& value, const Tensor& tensor);

  /// The histograms in the layers' order. The clip ranges are those of the layers whose
  /// parameters are known.
  std::vector<ActivationHistogram> results() const;

 private:
  struct Entry {
    ActivationHistogram meta;  ///< value, layers, clip ranges, note
    Histogram histogram;
  };
  std::vector<Entry> entries_;
  std::map<std::string, size_t> index_;
};

}  // namespace ptqc
