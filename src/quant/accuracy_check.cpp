#include "quant/accuracy_check.h"

#include <cmath>
#include <cstdio>
#include <limits>

#include "calib/config_vocabulary.h"
#include "compare/metrics.h"
#include "ptqc/error.h"
#include "ptqc/executor.h"
#include "runtime/float16_rounding.h"

namespace ptqc {

namespace {

std::vector<size_t> judged_outputs_of(const Graph& graph, const AccuracyTarget& target) {
  std::vector<size_t> judged;
  std::string names;
  for (size_t i = 0; i < graph.outputs.size(); ++i) {
    const ValueInfo& out = graph.outputs[i];
    if (!names.empty()) names += ", ";
    names += out.name;
    if (target.output.empty() ? out.dtype == DataType::kFloat32 : out.name == target.output) judged.push_back(i);
  }
  if (judged.empty()) {
    throw Error(ErrorCode::kInvalidValue,
                target.key_path + (target.output.empty() ? ": the model has no float32 output to judge"
                                                         : ".output: \"" + target.output + "\" is not a model output") +
                    " (outputs: " + names + ")");
  }
  return judged;
}

/// The .om stores float32 constants as FP16 under force_fp16 (those in FP16 range).
Graph with_float16_weights(Graph g) {
  for (auto& [name, t] : g.initializers) {
    if (t.dtype() != DataType::kFloat32) continue;
    bool in_range = true;
    for (float v : t.values<float>()) in_range &= std::fabs(v) <= 65504.0f;
    if (!in_range) continue;
    t = t.clone();  // the candidate shares buffers with the float graph
    round_to_float16(t);
  }
  return g;
}

double metric_of(AccuracyMetric metric, const std::vector<const Tensor*>& ref, const std::vector<const Tensor*>& test) {
  ErrorSums pooled;
  double cosine_sum = 0;
  TopkCounts top1;
  for (size_t s = 0; s < ref.size(); ++s) {
    const auto r = ref[s]->values<float>(), t = test[s]->values<float>();
    ErrorSums one;
    one.add(r, t);
    cosine_sum += one.cosine();
    pooled.add(r, t);
    if (metric == AccuracyMetric::kTop1Agreement) {
      const int64_t classes = ref[s]->rank() == 0 ? 1 : ref[s]->dim(ref[s]->rank() - 1);
      const TopkCounts c = topk_agreement(r, t, std::max<int64_t>(1, classes), 1);
      top1.rows += c.rows;
      top1.top1_hits += c.top1_hits;
    }
  }
  switch (metric) {
    case AccuracyMetric::kCosine: return cosine_sum / static_cast<double>(ref.size());
    case AccuracyMetric::kSqnrDb: return pooled.sqnr_db();
    case AccuracyMetric::kPsnrDb: return pooled.psnr_db(pooled.ref_range());
    case AccuracyMetric::kTop1Agreement: return top1.rows == 0 ? 1.0 : double(top1.top1_hits) / double(top1.rows);
  }
  return 0;
}

}  // namespace

AccuracyCheck::AccuracyCheck(const Graph& float_graph, const AccuracyTarget& target,
                             std::vector<std::vector<Tensor>> samples, int threads, bool float16)
    : target_(target), samples_(std::move(samples)), threads_(threads), float16_(float16) {
  judged_ = judged_outputs_of(float_graph, target);
  for (size_t i : judged_) judged_names_.push_back(float_graph.outputs[i].name);
  Executor executor(float_graph, ExecutorOptions{threads});
  for (const auto& inputs : samples_) {
    std::vector<Tensor> outputs = executor.run(inputs);
    std::vector<Tensor> kept;
    for (size_t i : judged_) kept.push_back(outputs[i].clone());
    reference_.push_back(std::move(kept));
  }
}

double AccuracyCheck::measure(const Graph& candidate) const {
  Executor executor(float16_ ? with_float16_weights(candidate) : candidate, ExecutorOptions{threads_, float16_});
  std::vector<std::vector<Tensor>> outputs;
  for (const auto& inputs : samples_) {
    std::vector<Tensor> all = executor.run(inputs);
    std::vector<Tensor> kept;
    for (size_t i : judged_) kept.push_back(all[i].clone());
    outputs.push_back(std::move(kept));
  }
  double worst = std::numeric_limits<double>::infinity();
  for (size_t o = 0; o < judged_.size(); ++o) {
    std::vector<const Tensor*> ref, test;
    for (size_t s = 0; s < samples_.size(); ++s) {
      ref.push_back(&reference_[s][o]);
      test.push_back(&outputs[s][o]);
    }
    worst = std::min(worst, metric_of(target_.metric, ref, test));
  }
  return worst;
}

std::string describe_metric(AccuracyMetric metric, double value) {
  const std::string& name = choice_name(accuracy_metric_choices(), metric);
  char text[64];
  switch (metric) {
    case AccuracyMetric::kCosine: std::snprintf(text, sizeof text, "%.5f", value); break;
    case AccuracyMetric::kTop1Agreement: std::snprintf(text, sizeof text, "%.2f%%", 100 * value); break;
    default: std::snprintf(text, sizeof text, "%.2f dB", value); break;
  }
  return name + " " + text;
}

}  // namespace ptqc
