// The metrics of quantize_info.accuracy_target, on a one-node graph whose candidate output is
// known exactly: y = x * k for the reference (k = 1) and a candidate constant k.

#include "quant/accuracy_check.h"

#include <gtest/gtest.h>

#include <cmath>

#include "ptqc/error.h"
#include "quant_test_graphs.h"

using namespace ptqc;
using namespace ptqc::quant_testing;

namespace {

/// x [1, 2, 3] -> Mul(k) -> y: per-step logits of 2 steps and 3 classes.
Graph scaled(float k, const std::vector<float>& offset) {
  Graph g;
  g.opset = 13;
  g.inputs = {float_value("x", {1, 2, 3})};
  g.outputs = {float_value("y", {1, 2, 3})};
  g.initializers["k"] = Tensor::scalar<float>(k);
  g.initializers["b"] = Tensor::from_vector<float>(offset, {1, 2, 3});
  g.nodes = {node("mul", "Mul", {"x", "k"}, {"m"}), node("add", "Add", {"m", "b"}, {"y"})};
  return g;
}

std::vector<std::vector<Tensor>> samples() {
  return {{Tensor::from_vector<float>({1, 2, 3, 3, 2, 1}, {1, 2, 3})}, {Tensor::from_vector<float>({0, 1, 0, 1, 0, 0}, {1, 2, 3})}};
}

AccuracyTarget target(AccuracyMetric metric, const std::string& output = "") {
  return AccuracyTarget{metric, 0.5, output, "", "quantize_info.accuracy_target"};
}

TEST(AccuracyCheck, EachMetricAgainstItsFormula) {
  const Graph reference = scaled(1.0f, std::vector<float>(6, 0.0f));
  const Graph doubled = scaled(2.0f, std::vector<float>(6, 0.0f));
  // Doubling keeps the direction (cosine 1) and the arg-max; SQNR = 10 log10(Σr² / Σr²) = 0 dB.
  EXPECT_NEAR(AccuracyCheck(reference, target(AccuracyMetric::kCosine), samples(), 1, false).measure(doubled), 1.0, 1e-12);
  EXPECT_NEAR(AccuracyCheck(reference, target(AccuracyMetric::kSqnrDb), samples(), 1, false).measure(doubled), 0.0, 1e-9);
  EXPECT_DOUBLE_EQ(AccuracyCheck(reference, target(AccuracyMetric::kTop1Agreement), samples(), 1, false).measure(doubled), 1.0);
  // PSNR: R = 3 (reference max - min over both samples), MSE = Σr² / 12 = 30 / 12.
  EXPECT_NEAR(AccuracyCheck(reference, target(AccuracyMetric::kPsnrDb), samples(), 1, false).measure(doubled),
              10 * std::log10(9.0 / (30.0 / 12.0)), 1e-9);
  // +2.5 on class 0 of step 0 moves that step's arg-max in both samples ([1,2,3] -> class 0,
  // [0,1,0] -> class 0) and neither step 1: 2 of the 4 steps agree.
  const Graph shifted = scaled(1.0f, {2.5f, 0, 0, 0, 0, 0});
  EXPECT_DOUBLE_EQ(AccuracyCheck(reference, target(AccuracyMetric::kTop1Agreement), samples(), 1, false).measure(shifted), 0.5);
}

TEST(AccuracyCheck, TheWorstJudgedOutputCountsAndAnOutputCanBeChosen) {
  Graph reference = scaled(1.0f, std::vector<float>(6, 0.0f));
  reference.outputs.push_back(float_value("m", {1, 2, 3}));  // m = x exactly; y gets the candidate's offset
  Graph candidate = scaled(1.0f, {3, 3, 3, 3, 3, 3});
  candidate.outputs.push_back(float_value("m", {1, 2, 3}));
  const double worst = AccuracyCheck(reference, target(AccuracyMetric::kSqnrDb), samples(), 1, false).measure(candidate);
  EXPECT_LT(worst, 0.0);  // y is far off
  EXPECT_TRUE(std::isinf(AccuracyCheck(reference, target(AccuracyMetric::kSqnrDb, "m"), samples(), 1, false).measure(candidate)));
}

TEST(AccuracyCheck, DescribesValuesInTheTargetsUnits) {
  EXPECT_EQ(describe_metric(AccuracyMetric::kCosine, 0.99512), "cosine 0.99512");
  EXPECT_EQ(describe_metric(AccuracyMetric::kTop1Agreement, 0.9902), "top1_agreement 99.02%");
  EXPECT_EQ(describe_metric(AccuracyMetric::kSqnrDb, 31.204), "sqnr_db 31.20 dB");
}

}  // namespace
