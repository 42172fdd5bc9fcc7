// The executor's activation arena (Executor::use_memory_plan with an .om's TASK_INFO plan):
// values at their planned offsets, views of arena values moved to their own places, graph
// outputs never in the arena, and a plan for another graph ignored.

#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "ptqc/executor.h"
#include "ptqc/om.h"
#include "ptqc/shape_inference.h"
#include "support/test_models.h"

namespace ptqc {
namespace {

using testing_support::make_node;

ValueInfo float_value(const std::string& name, Shape dims) {
  return ValueInfo{name, DataType::kFloat32, std::move(dims), true, DataType::kUndefined};
}

/// x [1,4,8,8] -> Relu -> r; r -> Reshape [1,256] -> Sigmoid -> z (output);
/// r -> Split (axis 1, two views of r) -> Add -> c -> Reshape [1,128] -> y (an output that views c);
/// r -> Neg -> n -> Mul(n, r) -> m -> Tanh -> t (output): values that die at once and reuse bytes.
Graph views_graph() {
  Graph g;
  g.opset = 13;
  g.inputs = {float_value("x", {1, 4, 8, 8})};
  g.outputs = {float_value("z", {1, 256}), float_value("y", {1, 128}), float_value("t", {1, 4, 8, 8})};
  g.initializers["flat"] = Tensor::from_vector<int64_t>({1, 256}, {2});
  g.initializers["half"] = Tensor::from_vector<int64_t>({1, 128}, {2});
  Node split = make_node("split", "Split", {"r"}, {"a", "b"});
  split.attrs["axis"] = Attribute::of_int(1);
  g.nodes = {make_node("relu", "Relu", {"x"}, {"r"}),
             make_node("reshape", "Reshape", {"r", "flat"}, {"f"}),
             make_node("sigmoid", "Sigmoid", {"f"}, {"z"}),
             split,
             make_node("add", "Add", {"a", "b"}, {"c"}),
             make_node("reshape_out", "Reshape", {"c", "half"}, {"y"}),
             make_node("neg", "Neg", {"r"}, {"n"}),
             make_node("mul", "Mul", {"n", "r"}, {"m"}),
             make_node("tanh", "Tanh", {"m"}, {"t"})};
  annotate_graph_shapes(g);
  return g;
}

std::vector<Tensor> random_input(unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  Tensor x(DataType::kFloat32, {1, 4, 8, 8});
  for (float& v : x.values<float>()) v = u(rng);
  return {x};
}

bool same_bytes(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() && std::memcmp(a.raw(), b.raw(), a.nbytes()) == 0;
}

TEST(ExecutorArena, ArenaRunsGiveThePooledResultsAndKeepEarlierOutputs) {
  const Graph g = views_graph();
  Executor pooled(g);
  Executor planned(g);
  const ExecutionPlan plan = plan_execution(planned.graph());
  planned.use_memory_plan(plan);
  EXPECT_EQ(planned.arena_bytes(), plan.arena_size);
  ASSERT_GT(planned.arena_bytes(), 0u);

  const std::vector<Tensor> first = planned.run(random_input(1));
  // r, a/b (views of r: copied to their places), c, f (a view of r), n, m: every planned
  // value that is not a graph output.
  EXPECT_EQ(planned.values_in_arena(), 7u);
  const std::vector<Tensor> second = planned.run(random_input(2));
  const std::vector<Tensor> expected_first = pooled.run(random_input(1));
  const std::vector<Tensor> expected_second = pooled.run(random_input(2));
  for (size_t k = 0; k < first.size(); ++k) {
    EXPECT_TRUE(same_bytes(first[k], expected_first[k])) << "output " << k << " of the first run";
    EXPECT_TRUE(same_bytes(second[k], expected_second[k])) << "output " << k << " of the second run";
  }
}

TEST(ExecutorArena, ValuesThatShareBytesDoNotMeet) {
  const Graph g = views_graph();
  const ExecutionPlan plan = plan_execution(g);
  // The plan reuses bytes (else the arena would just be a sum of sizes): the test graph is worth running.
  uint64_t total = 0;
  for (const auto& p : plan.values) total += p.offset >= 0 ? p.size : 0;
  EXPECT_LT(plan.arena_size, total);
}

TEST(ExecutorArena, AnObserverSeesValuesOutsideTheArena) {
  Executor planned(views_graph());
  planned.use_memory_plan(plan_execution(planned.graph()));
  size_t seen = 0;
  planned.set_observer([&](const Node&, const std::string&, const Tensor&) { ++seen; });
  planned.run(random_input(3));
  EXPECT_EQ(planned.values_in_arena(), 0u);
  EXPECT_EQ(seen, 10u);
}

TEST(ExecutorArena, APlanForAnotherGraphIsIgnored) {
  Executor executor(views_graph());
  ExecutionPlan other = plan_execution(executor.graph());
  other.tasks[2].op_name = "renamed";
  executor.use_memory_plan(other);
  EXPECT_EQ(executor.arena_bytes(), 0u);

  ExecutionPlan longer = plan_execution(executor.graph());
  longer.values[0].last_op += 1;
  executor.use_memory_plan(longer);
  EXPECT_EQ(executor.arena_bytes(), 0u);

  Executor pooled(views_graph());
  const std::vector<Tensor> got = executor.run(random_input(4)), expected = pooled.run(random_input(4));
  for (size_t k = 0; k < got.size(); ++k) EXPECT_TRUE(same_bytes(got[k], expected[k]));
}

}  // namespace
}  // namespace ptqc
