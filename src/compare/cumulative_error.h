#pragma once
/// \file
/// The cumulative error of every float value that an FP32 graph and its INT8 graph both
/// compute: the INT8 graph's value against the FP32 graph's, with everything before it
/// quantized. Sums are pooled over samples (docs/compare.md, "Cumulative error").
/// A value the INT8 graph only holds requantized (an AscendRequant joins two INT8 layers) is
/// measured too: the AscendRequant's int8 output q, dequantized as (q - offset) / scale with
/// its own attributes, against the FP32 value the next layer quantizes.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "compare/metrics.h"
#include "ptqc/compare.h"
#include "ptqc/graph.h"

namespace ptqc {

class CumulativeError {
 public:
  /// The values produced by a node in both graphs are compared.
  CumulativeError(const Graph& fp32, const Graph& int8);

  /// Call from the FP32 run's observer: keeps a copy of \p value when it is compared.
  void keep_reference(const std::string& value, const Tensor& tensor);
  /// Call from the INT8 run's observer (after the FP32 run of the same sample): adds the
  /// error of \p value against the kept copy, then drops the copy.
  void add_test(const std::string& value, const Tensor& tensor);

  /// The measured values by name (float values whose shapes matched).
  std::map<std::string, ValueError> results() const;
  /// The same, in \p fp32's node order.
  std::vector<ValueError> in_graph_order(const Graph& fp32) const;

 private:
  struct Requantized {
    std::string fp32_value;
    float scale = 1;  ///< 1 / scale_d of the int8 output
    int32_t offset = 0;
  };
  std::set<std::string> shared_;
  std::map<std::string, Requantized> requantized_;  ///< by the AscendRequant's output
  std::set<std::string> from_requantized_;          ///< FP32 values measured through a requantized tensor
  std::map<std::string, Tensor> reference_;
  std::map<std::string, ErrorSums> sums_;
};

}  // namespace ptqc
