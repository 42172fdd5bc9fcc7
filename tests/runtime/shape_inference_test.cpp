// Compile-time shape inference with the kernels on abstract tensors (ptqc/shape_inference.h).

#include "ptqc/shape_inference.h"

#include <gtest/gtest.h>

#include "ptqc/executor.h"
#include "support/test_models.h"

using namespace ptqc;
using ptqc::testing_support::make_node;

namespace {

ValueInfo input(const std::string& name, DataType dtype, Shape dims) { return {name, dtype, dims, true, DataType::kUndefined}; }
ValueInfo output(const std::string& name) { return {name, DataType::kUndefined, {}, false, DataType::kUndefined}; }

/// x[1, 4] -> MatMul(w[4, n]) -> Add(b) -> y.
Graph matmul_add(int64_t n, Shape bias_shape) {
  Graph g;
  g.opset = 17;
  g.inputs = {input("x", DataType::kFloat32, {1, 4})};
  g.outputs = {output("y")};
  g.initializers["w"] = Tensor(DataType::kFloat32, {4, n});
  g.initializers["b"] = Tensor(DataType::kFloat32, bias_shape);
  g.nodes = {make_node("mm", "MatMul", {"x", "w"}, {"m"}), make_node("add", "Add", {"m", "b"}, {"y"})};
  return g;
}

TEST(ShapeInference, PredictsWhatTheRunProduces) {
  const Graph g = matmul_add(5, {1, 5});
  const ShapeCheck check = infer_graph_shapes(g);
  ASSERT_FALSE(check.failure) << check.failure->what();
  EXPECT_EQ(check.inferred, 2u);
  EXPECT_EQ(check.deferred, 0u);
  ASSERT_EQ(check.outputs.size(), 1u);
  const Tensor y = Executor(g).run({Tensor(DataType::kFloat32, {1, 4})})[0];
  EXPECT_EQ(check.outputs[0].dtype, y.dtype());
  EXPECT_EQ(check.outputs[0].dims, y.shape());
}

TEST(ShapeInference, NamesTheNodeDomainAndShapesOfAnInvalidGraph) {
  const ShapeCheck check = infer_graph_shapes(matmul_add(5, {1, 4}));
  ASSERT_TRUE(check.failure);
  EXPECT_EQ(check.failure->code(), ErrorCode::kInvalidModel);
  EXPECT_EQ(check.failed_node, "add");
  const std::string m = check.failure->message();
  for (const char* part : {"Add 'add'", "domain ai.onnx", "1x5", "1x4", "m: float32 1x5", "b: float32 1x4"}) {
    EXPECT_NE(m.find(part), std::string::npos) << part << " | " << m;
  }
}

TEST(ShapeInference, AnUnknownOpIsUnsupportedWithItsDomain) {
  Graph g = matmul_add(4, {1, 4});
  g.nodes[1] = make_node("fancy", "FancyOp", {"m"}, {"y"});
  g.nodes[1].domain = "com.acme";
  const ShapeCheck check = infer_graph_shapes(g);
  ASSERT_TRUE(check.failure);
  EXPECT_EQ(check.failure->code(), ErrorCode::kUnsupportedOp);
  EXPECT_EQ(check.failed_node, "fancy");
  for (const char* part : {"FancyOp 'fancy'", "com.acme", "m: float32 1x4"}) {
    EXPECT_NE(check.failure->message().find(part), std::string::npos) << part << " | " << check.failure->message();
  }
  EXPECT_THROW(check_graph_shapes(g), Error);
}

TEST(ShapeInference, FollowsExporterShapeArithmeticThroughSmallValues) {
  // Shape(x) -> Gather(0) -> Unsqueeze -> Concat([-1]) -> Reshape(x): values known only by computing them.
  Graph g;
  g.opset = 17;
  g.inputs = {input("x", DataType::kFloat32, {2, 3, 4})};
  g.outputs = {output("y")};
  g.initializers["zero"] = Tensor::scalar<int64_t>(0);
  g.initializers["axes"] = Tensor::from_vector<int64_t>({0}, {1});
  g.initializers["minus1"] = Tensor::from_vector<int64_t>({-1}, {1});
  g.nodes = {make_node("shape", "Shape", {"x"}, {"s"}), make_node("gather", "Gather", {"s", "zero"}, {"n"}),
             make_node("unsq", "Unsqueeze", {"n", "axes"}, {"n1"}), make_node("cat", "Concat", {"n1", "minus1"}, {"shape2"}),
             make_node("reshape", "Reshape", {"x", "shape2"}, {"y"})};
  g.nodes[3].attrs["axis"] = Attribute::of_int(0);
  const ShapeCheck check = infer_graph_shapes(g);
  ASSERT_FALSE(check.failure) << check.failure->what();
  EXPECT_EQ(check.deferred, 0u);
  EXPECT_EQ(check.outputs[0].dims, (Shape{2, 12}));
}

TEST(ShapeInference, DataDependentShapesAreLeftToRunTime) {
  Graph g;
  g.opset = 17;
  g.inputs = {input("x", DataType::kFloat32, {6})};
  g.outputs = {output("y")};
  g.nodes = {make_node("nz", "NonZero", {"x"}, {"idx"}), make_node("neg", "Neg", {"idx"}, {"y"})};
  const ShapeCheck check = infer_graph_shapes(g);
  EXPECT_FALSE(check.failure);
  EXPECT_EQ(check.deferred, 2u);  // NonZero, and the Neg that reads it
  EXPECT_EQ(check.first_deferred, "NonZero 'nz'");
  EXPECT_FALSE(check.outputs[0].has_shape);
  Graph dynamic = matmul_add(5, {1, 5});
  dynamic.inputs[0].dims = {-1, 4};
  EXPECT_EQ(infer_graph_shapes(dynamic).deferred, 2u);
}

TEST(ShapeInference, AnOutputBeyondTheMemoryLimitFailsWithoutAllocating) {
  // Expand to 2^20 x 2^20 x 2^10 floats (4 PiB): refused by size, naming the node and dims.
  Graph g;
  g.opset = 17;
  g.inputs = {input("x", DataType::kFloat32, {1})};
  g.outputs = {output("y")};
  g.initializers["shape"] = Tensor::from_vector<int64_t>({int64_t{1} << 20, int64_t{1} << 20, int64_t{1} << 10}, {3});
  g.nodes = {make_node("expand", "Expand", {"x", "shape"}, {"y"})};
  const ShapeCheck check = infer_graph_shapes(g);
  ASSERT_TRUE(check.failure);
  EXPECT_EQ(check.failure->code(), ErrorCode::kInvalidModel);
  EXPECT_NE(check.failure->message().find("Expand 'expand'"), std::string::npos) << check.failure->message();
  EXPECT_NE(check.failure->message().find("1048576x1048576x1024"), std::string::npos) << check.failure->message();
}

TEST(ShapeInference, MultiOutputKernelsDeclareEveryOutput) {
  Graph g;
  g.opset = 18;
  g.inputs = {input("x", DataType::kFloat32, {2, 6})};
  g.outputs = {output("a"), output("b"), output("c")};
  g.initializers["split"] = Tensor::from_vector<int64_t>({1, 2, 3}, {3});
  g.nodes = {make_node("split", "Split", {"x", "split"}, {"a", "b", "c"})};
  g.nodes[0].attrs["axis"] = Attribute::of_int(1);
  const ShapeCheck check = infer_graph_shapes(g);
  ASSERT_FALSE(check.failure) << check.failure->what();
  EXPECT_EQ(check.outputs[0].dims, (Shape{2, 1}));
  EXPECT_EQ(check.outputs[2].dims, (Shape{2, 3}));
}

}  // namespace
