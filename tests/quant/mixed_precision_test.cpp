// The accuracy_target search on evaluators whose answer is known.

#include "quant/mixed_precision.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

using namespace ptqc;

namespace {

/// A model whose metric is 1 - Σ harm of the layers still INT8 (additive, so the optimum is known).
struct AdditiveModel {
  std::map<std::string, double> harm;
  int calls = 0;

  double operator()(const std::set<std::string>& float_layers) {
    ++calls;
    double m = 1.0;
    for (const auto& [layer, h] : harm) {
      if (!float_layers.count(layer)) m -= h;
    }
    return m;
  }
};

std::vector<std::string> names_of(const AdditiveModel& model) {
  std::vector<std::string> names;
  for (const auto& [layer, h] : model.harm) names.push_back(layer);
  return names;
}

TEST(SearchFloatLayers, MeetsTheTargetWithTheFewestMostHarmfulLayers) {
  AdditiveModel model{{{"a", 0.001}, {"b", 0.02}, {"c", 0.002}, {"d", 0.01}, {"e", 0.0005}, {"f", 0.004}}};
  const PrecisionEvaluator evaluate = [&](const std::set<std::string>& s) { return model(s); };
  // All INT8: 1 - 0.0375. Target 0.99 needs 0.0275 of harm removed: b and d (0.03); b alone is not enough.
  const PrecisionSearch r = search_float_layers(names_of(model), 0.99, evaluate);
  ASSERT_TRUE(r.met);
  EXPECT_EQ(r.float_layers, (std::vector<std::string>{"b", "d"}));
  EXPECT_NEAR(r.reached, 1.0 - 0.0075, 1e-12);
  EXPECT_NEAR(r.all_int8, 1.0 - 0.0375, 1e-12);
  EXPECT_EQ(r.isolated.size(), 6u);
  EXPECT_EQ(r.evaluations, model.calls);
  // 2 + n isolated + ceil(log2 n) bisection + at most k pruning steps.
  EXPECT_LE(r.evaluations, 2 + 6 + 3 + 2);
}

TEST(SearchFloatLayers, PruningReturnsLayersTheBisectionTookTooMany) {
  // Ranked by isolated harm: x (0.05), y (0.03), z (0.03); target 0.95 is met by {x, y} or {x, z}.
  // A non-additive model where x alone in float is not enough but x with any one other is:
  // the bisection settles on a prefix and the pruning keeps the result minimal and verified.
  const PrecisionEvaluator evaluate = [](const std::set<std::string>& f) {
    const double harm = (f.count("x") ? 0 : 0.05) + (f.count("y") ? 0 : 0.03) + (f.count("z") ? 0 : 0.03);
    return 1.0 - harm;
  };
  const PrecisionSearch r = search_float_layers({"x", "y", "z"}, 0.95, evaluate);
  ASSERT_TRUE(r.met);
  EXPECT_EQ(r.float_layers.size(), 2u);
  EXPECT_EQ(r.float_layers.front(), "x");
  EXPECT_GE(r.reached, 0.95);
}

TEST(SearchFloatLayers, NothingMovesWhenEveryLayerInInt8MeetsTheTarget) {
  AdditiveModel model{{{"a", 0.001}, {"b", 0.002}}};
  const PrecisionSearch r = search_float_layers(names_of(model), 0.99, [&](const auto& s) { return model(s); });
  EXPECT_TRUE(r.met);
  EXPECT_TRUE(r.float_layers.empty());
  EXPECT_EQ(r.evaluations, 1);
  EXPECT_TRUE(r.isolated.empty());
}

TEST(SearchFloatLayers, AnUnreachableTargetIsReportedWithTheBestValue) {
  // Even every layer in float gives 0.98 (say FP16 activations), below the target.
  const PrecisionEvaluator evaluate = [](const std::set<std::string>& f) { return f.size() == 2 ? 0.98 : 0.9; };
  const PrecisionSearch r = search_float_layers({"a", "b"}, 0.99, evaluate);
  EXPECT_FALSE(r.met);
  EXPECT_DOUBLE_EQ(r.all_float, 0.98);
  EXPECT_DOUBLE_EQ(r.all_int8, 0.9);
  EXPECT_EQ(r.evaluations, 2);
}

TEST(SearchFloatLayers, TiesAreBrokenByGraphOrderSoTheResultIsDeterministic) {
  AdditiveModel model{{{"p", 0.01}, {"q", 0.01}, {"r", 0.01}}};
  const std::vector<std::string> order = {"r", "p", "q"};  // graph order
  const PrecisionSearch r = search_float_layers(order, 0.985, [&](const auto& s) { return model(s); });
  ASSERT_TRUE(r.met);
  EXPECT_EQ(r.float_layers, (std::vector<std::string>{"r", "p"}));
}

TEST(SearchFloatLayers, EquallyHarmfulLayersGoToFloatCheapestFirst) {
  // A discrete metric: every layer alone costs the same, two layers must go.
  AdditiveModel model{{{"big", 0.01}, {"small", 0.01}, {"mid", 0.01}}};
  const std::vector<std::string> order = {"big", "small", "mid"};
  const PrecisionSearch r = search_float_layers(order, 0.985, [&](const auto& s) { return model(s); }, {900.0, 10.0, 50.0});
  ASSERT_TRUE(r.met);
  EXPECT_EQ(r.float_layers, (std::vector<std::string>{"small", "mid"}));
}

}  // namespace
