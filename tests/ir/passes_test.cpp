#include "ptqc/passes.h"

#include <gtest/gtest.h>

#include "support/test_models.h"

#include <cmath>
#include <random>

#include "ptqc/executor.h"

using namespace ptqc;
using ptqc::testing_support::make_node;

namespace {

NodeEvaluator runtime_evaluator() {
  return [](const Node& n, int64_t opset, const std::vector<const Tensor*>& in) { return evaluate_node(n, opset, in); };
}

ValueInfo float_value(const std::string& name, Shape dims) { return {name, DataType::kFloat32, dims, true, DataType::kUndefined}; }

TEST(RemoveIdentities, RewiresReadersAndKeepsGraphOutputNames) {
  Graph g;
  g.opset = 13;
  g.inputs.push_back(float_value("x", {2}));
  g.outputs.push_back(float_value("out", {2}));
  g.nodes.push_back(make_node("relu", "Relu", {"x"}, {"r"}));
  g.nodes.push_back(make_node("id1", "Identity", {"r"}, {"r2"}));
  g.nodes.push_back(make_node("neg", "Neg", {"r2"}, {"n"}));
  g.nodes.push_back(make_node("drop", "Dropout", {"n"}, {"out"}));
  EXPECT_EQ(remove_identities(g), 2u);
  ASSERT_EQ(g.nodes.size(), 2u);
  EXPECT_EQ(g.nodes[1].inputs[0], "r");
  EXPECT_EQ(g.nodes[1].outputs[0], "out");  // the producer now writes the graph output
  EXPECT_NO_THROW(validate(g));
}

TEST(RemoveIdentities, ChainsOfIdentitiesCollapseInOneCall) {
  Graph g;
  g.opset = 13;
  g.inputs.push_back(float_value("x", {2}));
  g.outputs.push_back(float_value("out", {2}));
  g.outputs.push_back(float_value("side", {2}));
  g.nodes.push_back(make_node("relu", "Relu", {"x"}, {"r"}));
  g.nodes.push_back(make_node("id1", "Identity", {"r"}, {"a"}));
  g.nodes.push_back(make_node("id2", "Identity", {"a"}, {"b"}));
  g.nodes.push_back(make_node("neg", "Neg", {"b"}, {"side"}));  // reads the end of the chain
  g.nodes.push_back(make_node("id3", "Identity", {"b"}, {"out"}));
  EXPECT_EQ(remove_identities(g), 3u);
  ASSERT_EQ(g.nodes.size(), 2u);
  EXPECT_EQ(g.nodes[0].outputs[0], "out");  // relu now writes the graph output
  EXPECT_EQ(g.nodes[1].inputs[0], "out");   // and neg reads it
  EXPECT_NO_THROW(validate(g));
  const auto y = Executor(g).run({Tensor::from_vector<float>({-1.0f, 2.0f}, {2})});
  EXPECT_EQ(y[0].to_float_vector(), (std::vector<float>{0.0f, 2.0f}));
  EXPECT_EQ(y[1].to_float_vector(), (std::vector<float>{0.0f, -2.0f}));
}

TEST(FoldConstants, ShapeSubgraphBecomesAConstantReshape) {
  // Shape(x) -> Gather(0) -> Unsqueeze -> Concat([-1]) -> Reshape(x): the torch/paddle flatten idiom.
  Graph g;
  g.opset = 13;
  g.inputs.push_back(float_value("x", {2, 3, 4}));
  g.outputs.push_back(float_value("y", {2, 12}));
  g.initializers["zero"] = Tensor::scalar<int64_t>(0);
  g.initializers["axes"] = Tensor::from_vector<int64_t>({0}, {1});
  g.initializers["minus_one"] = Tensor::from_vector<int64_t>({-1}, {1});
  g.nodes.push_back(make_node("shape", "Shape", {"x"}, {"s"}));
  g.nodes.push_back(make_node("gather", "Gather", {"s", "zero"}, {"n"}));
  g.nodes.push_back(make_node("unsq", "Unsqueeze", {"n", "axes"}, {"n1"}));
  g.nodes.push_back(make_node("concat", "Concat", {"n1", "minus_one"}, {"target"}));
  g.nodes.back().attrs["axis"] = Attribute::of_int(0);
  g.nodes.push_back(make_node("reshape", "Reshape", {"x", "target"}, {"y"}));
  optimize(g, runtime_evaluator());
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].op_type, "Reshape");
  const Tensor* target = g.constant(g.nodes[0].inputs[1]);
  ASSERT_NE(target, nullptr);
  EXPECT_EQ(target->to_int64_vector(), (std::vector<int64_t>{2, -1}));
}

TEST(FoldConstants, DynamicShapesStayAtRunTime) {
  Graph g;
  g.opset = 13;
  g.inputs.push_back(float_value("x", {-1, 3}));
  g.outputs.push_back({"s", DataType::kInt64, {2}, true, DataType::kUndefined});
  g.nodes.push_back(make_node("shape", "Shape", {"x"}, {"s"}));
  EXPECT_EQ(fold_constants(g, runtime_evaluator()), 0u);
  EXPECT_EQ(g.nodes.size(), 1u);
}

TEST(EliminateDeadCode, RemovesUnreachableNodesAndInitializers) {
  Graph g;
  g.opset = 13;
  g.inputs.push_back(float_value("x", {2}));
  g.outputs.push_back(float_value("y", {2}));
  g.initializers["unused"] = Tensor::scalar<float>(1.0f);
  g.nodes.push_back(make_node("live", "Relu", {"x"}, {"y"}));
  g.nodes.push_back(make_node("dead", "Add", {"x", "unused"}, {"d"}));
  EXPECT_EQ(eliminate_dead_code(g), 1u);
  EXPECT_EQ(g.nodes.size(), 1u);
  EXPECT_FALSE(g.is_constant("unused"));
}

/// Conv(3->4, 3x3, bias) -> BatchNormalization, with random parameters.
Graph conv_bn_graph(const std::string& op) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f), pos(0.5f, 2.0f);
  auto random = [&](Shape shape, bool positive = false) {
    Tensor t(DataType::kFloat32, shape);
    for (float& v : t.values<float>()) v = positive ? pos(rng) : u(rng);
    return t;
  };
  Graph g;
  g.opset = 13;
  g.inputs.push_back(float_value("x", {1, 3, 5, 5}));
  g.outputs.push_back(float_value("y", {}));
  g.outputs.back().has_shape = false;
  g.initializers["w"] = op == "Conv" ? random({4, 3, 3, 3}) : random({3, 4, 3, 3});
  g.initializers["b"] = random({4});
  g.initializers["gamma"] = random({4});
  g.initializers["beta"] = random({4});
  g.initializers["mean"] = random({4});
  g.initializers["var"] = random({4}, true);
  g.nodes.push_back(make_node("conv", op, {"x", "w", "b"}, {"c"}));
  g.nodes.push_back(make_node("bn", "BatchNormalization", {"c", "gamma", "beta", "mean", "var"}, {"y"}));
  g.nodes.back().attrs["epsilon"] = Attribute::of_float(1e-3f);
  return g;
}

class FoldBatchNorm : public testing::TestWithParam<std::string> {};

TEST_P(FoldBatchNorm, FoldedGraphComputesTheSameOutput) {
  Graph original = conv_bn_graph(GetParam());
  Graph folded = original;
  EXPECT_EQ(fold_batch_norms(folded), 1u);
  ASSERT_EQ(folded.nodes.size(), 1u);
  EXPECT_EQ(folded.nodes[0].op_type, GetParam());

  Tensor x(DataType::kFloat32, {1, 3, 5, 5});
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (float& v : x.values<float>()) v = u(rng);
  const auto want = Executor(original).run({x})[0].to_float_vector();
  const auto got = Executor(folded).run({x})[0].to_float_vector();
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-4f * (1 + std::fabs(want[i])));
}

INSTANTIATE_TEST_SUITE_P(Producers, FoldBatchNorm, testing::Values("Conv", "ConvTranspose"));

TEST(FoldBatchNormGemm, FoldsIntoTransposedWeights) {
  Graph g;
  g.opset = 13;
  g.inputs.push_back(float_value("x", {2, 3}));
  g.outputs.push_back(float_value("y", {2, 2}));
  g.initializers["w"] = Tensor::from_vector<float>({1, 2, 3, 4, 5, 6}, {2, 3});  // transB: [N=2, K=3]
  g.initializers["c"] = Tensor::from_vector<float>({0.5f, -0.5f}, {2});
  g.initializers["gamma"] = Tensor::from_vector<float>({2, 3}, {2});
  g.initializers["beta"] = Tensor::from_vector<float>({1, 1}, {2});
  g.initializers["mean"] = Tensor::from_vector<float>({0, 1}, {2});
  g.initializers["var"] = Tensor::from_vector<float>({1, 4}, {2});
  g.nodes.push_back(make_node("fc", "Gemm", {"x", "w", "c"}, {"h"}));
  g.nodes.back().attrs["transB"] = Attribute::of_int(1);
  g.nodes.push_back(make_node("bn", "BatchNormalization", {"h", "gamma", "beta", "mean", "var"}, {"y"}));
  g.nodes.back().attrs["epsilon"] = Attribute::of_float(0.0f);
  Graph folded = g;
  ASSERT_EQ(fold_batch_norms(folded), 1u);
  // Hand check for x row [1, 1, 1]: h = [6.5, 14.5]; y = gamma*(h-mean)/sqrt(var)+beta = [14, 21.25].
  Tensor x = Tensor::from_vector<float>({1, 1, 1, 0, 0, 0}, {2, 3});
  const auto y = Executor(folded).run({x})[0].to_float_vector();
  EXPECT_NEAR(y[0], 14.0f, 1e-5f);
  EXPECT_NEAR(y[1], 21.25f, 1e-5f);
}

}  // namespace

namespace {

Graph silu_graph() {
  Graph g;
  g.opset = 13;
  g.inputs.push_back(float_value("x", {3}));
  g.outputs.push_back(float_value("y", {3}));
  g.nodes.push_back(make_node("sig", "Sigmoid", {"x"}, {"s"}));
  g.nodes.push_back(make_node("mul", "Mul", {"s", "x"}, {"y"}));
  return g;
}

TEST(FuseSwish, MulOfSigmoidBecomesOneSwish) {
  Graph g = silu_graph();
  const Graph unfused = g;
  EXPECT_EQ(fuse_swish(g), 1u);
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].op_type, "Swish");
  EXPECT_EQ(g.nodes[0].domain, "ptqc");
  EXPECT_EQ(g.nodes[0].outputs[0], "y");
  const Tensor x = Tensor::from_vector<float>({-2.0f, 0.0f, 3.0f}, {3});
  const auto want = Executor(unfused).run({x})[0].to_float_vector();
  const auto got = Executor(g).run({x})[0].to_float_vector();
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(got[i], want[i]);
}

TEST(FuseSwish, KeepsASigmoidThatIsReadElsewhere) {
  Graph g = silu_graph();
  g.outputs.push_back(float_value("s", {3}));
  EXPECT_EQ(fuse_swish(g), 0u);
  Graph h = silu_graph();
  h.nodes[1].inputs = {"s", "s"};  // sigmoid(x)^2 is not a Swish
  EXPECT_EQ(fuse_swish(h), 0u);
}

/// x [1, 2, 3, 5] -> HardSigmoid(alpha, beta) -> Mul(x, .) -> y (hard-swish as opset 13 exports it).
Graph hard_swish_graph(float alpha, float beta) {
  Graph g;
  g.opset = 13;
  g.inputs.push_back(float_value("x", {1, 2, 3, 5}));
  g.outputs.push_back(float_value("y", {1, 2, 3, 5}));
  Node gate = make_node("hsig", "HardSigmoid", {"x"}, {"h"});
  gate.attrs["alpha"] = Attribute::of_float(alpha);
  gate.attrs["beta"] = Attribute::of_float(beta);
  g.nodes = {gate, make_node("mul", "Mul", {"x", "h"}, {"y"})};
  return g;
}

TEST(FuseHardSwish, MulOfTheHardSwishGateBecomesOneHardSwishWithTheSameValues) {
  Graph g = hard_swish_graph(1.0f / 6.0f, 0.5f);
  const Graph unfused = g;
  EXPECT_EQ(fuse_hard_swish(g), 1u);
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].op_type, "HardSwish");
  EXPECT_EQ(g.nodes[0].domain, "");
  EXPECT_EQ(g.nodes[0].name, "mul");
  std::vector<float> values;
  for (int i = 0; i < 30; ++i) values.push_back(-4.0f + 0.29f * static_cast<float>(i));  // both clamps and the ramp
  const Tensor x = Tensor::from_vector<float>(values, {1, 2, 3, 5});
  const auto want = Executor(unfused).run({x})[0].to_float_vector();
  const auto got = Executor(g).run({x})[0].to_float_vector();
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(got[i], want[i]) << values[i];
}

TEST(FuseHardSwish, OtherGatesStay) {
  Graph plain_sigmoid = hard_swish_graph(0.2f, 0.5f);  // ONNX's default HardSigmoid
  EXPECT_EQ(fuse_hard_swish(plain_sigmoid), 0u);
  Graph shifted = hard_swish_graph(1.0f / 6.0f, 0.4f);
  EXPECT_EQ(fuse_hard_swish(shifted), 0u);
  Graph read_elsewhere = hard_swish_graph(1.0f / 6.0f, 0.5f);
  read_elsewhere.outputs.push_back(float_value("h", {1, 2, 3, 5}));
  EXPECT_EQ(fuse_hard_swish(read_elsewhere), 0u);
}

}  // namespace
