#pragma once
/// \file
/// The metric of quantize_info.accuracy_target: a candidate graph (some layers INT8) run on
/// the held-out samples against the FP32 graph's outputs. Per judged output:
///  - cosine: the mean over samples of each sample's cosine similarity;
///  - sqnr_db: 10 log10(Σ r² / Σ (r - t)²) over all samples;
///  - psnr_db: 10 log10(R² / MSE) over all samples, R = max r - min r;
///  - top1_agreement: the share of rows along the last axis ([N, C] logits, [N, T, C] sequence
///    steps) whose arg-max agrees.
/// The value of a candidate is the worst over the judged outputs: by default every float
/// output, or the one accuracy_target.output names.

#include <string>
#include <vector>

#include "ptqc/graph.h"
#include "ptqc/quant_config.h"
#include "ptqc/tensor.h"

namespace ptqc {

class AccuracyCheck {
 public:
  /// Runs \p float_graph (FP32) on \p samples for the reference outputs. An unknown
  /// target.output is an E10001 error naming the config key and the model's outputs.
  AccuracyCheck(const Graph& float_graph, const AccuracyTarget& target, std::vector<std::vector<Tensor>> samples,
                int threads, bool float16);

  /// The metric of \p candidate (a graph with the float graph's inputs and outputs). Under
  /// float16 it runs as the .om would: float activations and float weights in FP16.
  double measure(const Graph& candidate) const;

  const std::vector<std::string>& judged_outputs() const { return judged_names_; }
  size_t samples() const { return samples_.size(); }

 private:
  AccuracyTarget target_;
  std::vector<std::vector<Tensor>> samples_;
  std::vector<size_t> judged_;  ///< indices into the graph outputs
  std::vector<std::string> judged_names_;
  std::vector<std::vector<Tensor>> reference_;  ///< per sample, the judged outputs
  int threads_;
  bool float16_;
};

/// "cosine 0.9950" / "sqnr_db 31.20 dB" / "top1_agreement 99.00%" / "psnr_db 40.00 dB".
std::string describe_metric(AccuracyMetric metric, double value);

}  // namespace ptqc
