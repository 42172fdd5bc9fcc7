#include "calib/config_vocabulary.h"

namespace ptqc {

const Choices<ActivationAlgorithm>& activation_algorithm_choices() {
  static const Choices<ActivationAlgorithm> choices = {{"ifmr", ActivationAlgorithm::kIfmr},
                                                       {"hfmg", ActivationAlgorithm::kHfmg},
                                                       {"minmax", ActivationAlgorithm::kMinMax},
                                                       {"percentile", ActivationAlgorithm::kPercentile}};
  return choices;
}

const Choices<HistogramObjective>& histogram_objective_choices() {
  static const Choices<HistogramObjective> choices = {{"mse", HistogramObjective::kMse},
                                                      {"kl", HistogramObjective::kKl}};
  return choices;
}

const Choices<WeightAlgorithm>& weight_algorithm_choices() {
  static const Choices<WeightAlgorithm> choices = {{"arq_quantize", WeightAlgorithm::kArq},
                                                   {"minmax", WeightAlgorithm::kMinMax},
                                                   {"adaround", WeightAlgorithm::kLearnedRounding}};
  return choices;
}

const Choices<InputType>& input_type_choices() {
  static const Choices<InputType> choices = {{"img", InputType::kImage}, {"data", InputType::kData}};
  return choices;
}

const Choices<NetFormat>& net_format_choices() {
  static const Choices<NetFormat> choices = {
      {"NCHW", NetFormat::kNCHW}, {"NHWC", NetFormat::kNHWC}, {"ND", NetFormat::kND}};
  return choices;
}

const Choices<AccuracyMetric>& accuracy_metric_choices() {
  static const Choices<AccuracyMetric> choices = {{"cosine", AccuracyMetric::kCosine},
                                                  {"sqnr_db", AccuracyMetric::kSqnrDb},
                                                  {"top1_agreement", AccuracyMetric::kTop1Agreement},
                                                  {"psnr_db", AccuracyMetric::kPsnrDb}};
  return choices;
}

const Choices<DataType>& data_type_choices() {
  static const Choices<DataType> choices = {{"FP32", DataType::kFloat32}, {"FP16", DataType::kFloat16},
                                            {"INT8", DataType::kInt8},    {"UINT8", DataType::kUInt8},
                                            {"INT32", DataType::kInt32},  {"INT64", DataType::kInt64}};
  return choices;
}

}  // namespace ptqc
