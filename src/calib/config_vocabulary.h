#pragma once
/// \file
/// The spellings of every enumerated value of the quantization config, in one place for
/// the parser, the fingerprint and the messages.

#include <string>
#include <utility>
#include <vector>

#include "ptqc/quant_config.h"

namespace ptqc {

/// Config spelling -> value.
template <class T>
using Choices = std::vector<std::pair<std::string, T>>;

const Choices<ActivationAlgorithm>& activation_algorithm_choices();  ///< ifmr hfmg minmax percentile
const Choices<HistogramObjective>& histogram_objective_choices();    ///< mse kl
const Choices<WeightAlgorithm>& weight_algorithm_choices();          ///< arq_quantize minmax adaround
const Choices<InputType>& input_type_choices();                      ///< img data
const Choices<NetFormat>& net_format_choices();                      ///< NCHW NHWC ND
const Choices<AccuracyMetric>& accuracy_metric_choices();          ///< cosine sqnr_db top1_agreement psnr_db
const Choices<DataType>& data_type_choices();  ///< FP32 FP16 INT8 UINT8 INT32 INT64 (output_data_type)

/// The config spelling of \p value. \pre value is one of \p choices.
template <class T>
const std::string& choice_name(const Choices<T>& choices, T value) {
  for (const auto& [name, v] : choices) {
    if (v == value) return name;
  }
  return choices.front().first;
}

}  // namespace ptqc
