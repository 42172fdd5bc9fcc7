#include "ptqc/graph.h"

#include <gtest/gtest.h>

#include "support/test_models.h"

#include <cmath>

#include "ptqc/error.h"

using namespace ptqc;
using ptqc::testing_support::make_node;

namespace {

Graph chain_graph() {
  Graph g;
  g.opset = 13;
  g.inputs.push_back({"x", DataType::kFloat32, {2}, true, DataType::kUndefined});
  g.outputs.push_back({"z", DataType::kFloat32, {2}, true, DataType::kUndefined});
  g.nodes.push_back(make_node("b", "Relu", {"y"}, {"z"}));
  g.nodes.push_back(make_node("a", "Neg", {"x"}, {"y"}));
  return g;
}

TEST(Graph, TopologicalSortOrdersProducersFirst) {
  Graph g = chain_graph();
  EXPECT_THROW(validate(g), Error);  // reads 'y' before it is produced
  topological_sort(g);
  EXPECT_EQ(g.nodes[0].name, "a");
  EXPECT_EQ(g.nodes[1].name, "b");
  EXPECT_NO_THROW(validate(g));
}

TEST(Graph, CycleIsReportedWithANode) {
  Graph g = chain_graph();
  g.nodes[1].inputs[0] = "z";  // a reads b's output, b reads a's output
  try {
    topological_sort(g);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidModel);
    EXPECT_NE(std::string(e.what()).find("cycle"), std::string::npos);
  }
}

TEST(Graph, DuplicateProducersAndMissingOutputsAreInvalid) {
  Graph g = chain_graph();
  topological_sort(g);
  g.nodes[1].outputs[0] = "y";  // y produced twice, z never
  EXPECT_THROW(validate(g), Error);
  Graph h = chain_graph();
  topological_sort(h);
  h.outputs.push_back(h.outputs[0]);  // same output listed twice
  EXPECT_THROW(validate(h), Error);
}

TEST(Graph, LastUsesCountGraphOutputsAsReadAtTheEnd) {
  Graph g = chain_graph();
  topological_sort(g);
  const auto last = last_uses(g);
  EXPECT_EQ(last.at("x"), 0u);
  EXPECT_EQ(last.at("y"), 1u);
  EXPECT_EQ(last.at("z"), 2u);
}

TEST(Node, TypedAttributesWithDefaultsAndWrongKinds) {
  Node n = make_node("c", "Conv", {}, {});
  n.attrs["pads"] = Attribute::of_ints({1, 2});
  EXPECT_EQ(n.attr_ints("pads"), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(n.attr_int("group", 1), 1);
  EXPECT_THROW(n.attr_int("pads", 0), Error);
}

TEST(Tensor, HalfConversionsRoundToNearestEven) {
  EXPECT_EQ(half_to_float(float_to_half(1.0f)), 1.0f);
  EXPECT_EQ(half_to_float(float_to_half(65504.0f)), 65504.0f);
  EXPECT_TRUE(std::isinf(half_to_float(float_to_half(70000.0f))));
  EXPECT_EQ(half_to_float(float_to_half(5.9604645e-08f)), 5.9604645e-08f);  // smallest subnormal
  // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties to even gives 1.
  EXPECT_EQ(half_to_float(float_to_half(1.0f + 1.0f / 2048)), 1.0f);
  EXPECT_EQ(bfloat16_to_float(float_to_bfloat16(3.0f)), 3.0f);
}

TEST(Tensor, CastFollowsOnnxSemantics) {
  Tensor f = Tensor::from_vector<float>({-1.7f, 0.0f, 2.9f}, {3});
  EXPECT_EQ(cast_tensor(f, DataType::kInt32).values<int32_t>()[0], -1);  // truncation toward zero
  EXPECT_EQ(cast_tensor(f, DataType::kBool).values<bool>()[1], false);
  EXPECT_EQ(cast_tensor(f, DataType::kBool).values<bool>()[2], true);
}

}  // namespace
