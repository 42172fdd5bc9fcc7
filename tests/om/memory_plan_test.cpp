// plan_execution: kernel names, lifetimes and the greedy-by-size arena, hand-computed.

#include <gtest/gtest.h>

#include <random>

#include "om/memory_plan.h"
#include "om_test_graphs.h"

using namespace ptqc;
using namespace ptqc::om_test;

namespace {

const ExecutionPlan::Placement& placement(const ExecutionPlan& plan, const std::string& name) {
  for (const auto& p : plan.values) {
    if (p.name == name) return p;
  }
  throw std::runtime_error("no placement " + name);
}

/// x -> A -> a -> B -> b -> C -> c (graph output), each value \p floats float32 elements.
Graph chain(int64_t floats) {
  Graph g;
  g.inputs.push_back(value("x", DataType::kFloat32, {floats}));
  g.outputs.push_back(value("c", DataType::kFloat32, {floats}));
  g.nodes.push_back(node("A", "Relu", {"x"}, {"a"}));
  g.nodes.push_back(node("B", "Relu", {"a"}, {"b"}));
  g.nodes.push_back(node("C", "Relu", {"b"}, {"c"}));
  g.value_info["a"] = value("a", DataType::kFloat32, {floats});
  g.value_info["b"] = value("b", DataType::kFloat32, {floats});
  return g;
}

}  // namespace

TEST(MemoryPlan, KernelNamesAreOpRegistryKeys) {
  EXPECT_EQ(kernel_name(node("n", "Conv", {}, {})), "Conv");
  EXPECT_EQ(kernel_name(node("n", "Conv", {}, {}, "ai.onnx")), "Conv");
  EXPECT_EQ(kernel_name(node("n", "QConv", {}, {}, "ptqc")), "ptqc.QConv");
}

TEST(MemoryPlan, ChainReusesTheBufferOfADeadValue) {
  // a lives over ops 0..1, b over 1..2, c over 2..3 (a graph output lives to the end).
  // a -> 0; b meets a -> 256; c meets only b -> 0 again. Arena: 512 bytes.
  const ExecutionPlan plan = plan_execution(chain(64));
  ASSERT_EQ(plan.values.size(), 3u);
  EXPECT_EQ(placement(plan, "a").offset, 0);
  EXPECT_EQ(placement(plan, "a").first_op, 0u);
  EXPECT_EQ(placement(plan, "a").last_op, 1u);
  EXPECT_EQ(placement(plan, "b").offset, 256);
  EXPECT_EQ(placement(plan, "c").offset, 0);
  EXPECT_EQ(placement(plan, "c").last_op, 3u);
  EXPECT_EQ(plan.arena_size, 512u);
  ASSERT_EQ(plan.tasks.size(), 3u);
  EXPECT_EQ(plan.tasks[1].op_name, "B");
  EXPECT_EQ(plan.tasks[1].kernel, "Relu");
}

TEST(MemoryPlan, OffsetsAreAlignedTo64Bytes) {
  // 10 floats = 40 bytes: b cannot start before 64.
  const ExecutionPlan plan = plan_execution(chain(10));
  EXPECT_EQ(placement(plan, "a").offset, 0);
  EXPECT_EQ(placement(plan, "b").offset, 64);
  EXPECT_EQ(placement(plan, "c").offset, 0);
  EXPECT_EQ(plan.arena_size, 128u);
}

TEST(MemoryPlan, LargestValuesChooseFirst) {
  // Sizes: acc 144 (int32 1x4x3x3), y 144 (float32), m 120 (int32 1x2x3x5), xq 18 (int8).
  // Lifetimes: xq 0..3, acc 1..2, y 2..4, m 3..4. acc -> 0; y meets acc -> 192;
  // m meets y only -> 0; xq meets all three -> after y: 384. Arena align_up(402) = 448.
  const ExecutionPlan plan = plan_execution(quantized_graph());
  EXPECT_EQ(placement(plan, "acc").offset, 0);
  EXPECT_EQ(placement(plan, "y").offset, 192);
  EXPECT_EQ(placement(plan, "m").offset, 0);
  EXPECT_EQ(placement(plan, "xq").offset, 384);
  EXPECT_EQ(placement(plan, "xq").size, 18u);
  EXPECT_EQ(placement(plan, "xq").last_op, 3u);
  EXPECT_EQ(plan.arena_size, 448u);
  EXPECT_EQ(plan.tasks[1].kernel, "ptqc.QConv");
}

TEST(MemoryPlan, ValuesWithoutAStaticShapeAreNotPlanned) {
  Graph g = chain(64);
  g.value_info["b"].dims = {-1};
  g.value_info.erase("a");
  const ExecutionPlan plan = plan_execution(g);
  EXPECT_EQ(placement(plan, "a").offset, -1);
  EXPECT_EQ(placement(plan, "a").size, 0u);
  EXPECT_EQ(placement(plan, "b").offset, -1);
  EXPECT_EQ(placement(plan, "c").offset, 0);
  EXPECT_EQ(plan.arena_size, 256u);
}

TEST(MemoryPlan, UnreadValuesLiveOnlyAtTheirProducer) {
  Graph g = chain(16);
  g.nodes[0].outputs.push_back("side");  // A also produces 'side', which nothing reads
  g.value_info["side"] = value("side", DataType::kFloat32, {16});
  const ExecutionPlan plan = plan_execution(g);
  EXPECT_EQ(placement(plan, "side").first_op, 0u);
  EXPECT_EQ(placement(plan, "side").last_op, 0u);
  // In production order (all 64 bytes): a (0..1) -> 0; side (0..0) meets a -> 64;
  // b (1..2) meets a only -> 64; c (2..3) meets b only -> 0.
  EXPECT_EQ(placement(plan, "side").offset, 64);
  EXPECT_EQ(placement(plan, "b").offset, 64);
  EXPECT_EQ(placement(plan, "c").offset, 0);
}

TEST(MemoryPlan, RandomGraphsNeverShareBytesWhileLiveAndPackAsTheGreedyRuleSays) {
  // 300 nodes; node i reads node i-1 and, often, one of the 40 before it, so lifetimes overlap
  // in many ways. Checked by brute force: no two values live at the same time share a byte,
  // and each value sits at the lowest aligned offset free of the larger values placed before it.
  std::mt19937 rng(7);
  for (int round = 0; round < 5; ++round) {
    Graph g;
    g.inputs.push_back(value("x", DataType::kFloat32, {4}));
    for (int i = 0; i < 300; ++i) {
      std::vector<std::string> in = {i == 0 ? "x" : "v" + std::to_string(i - 1)};
      if (i > 1 && rng() % 3 == 0) in.push_back("v" + std::to_string(i - 1 - static_cast<int>(rng() % std::min(i - 1, 40))));
      const std::string out = "v" + std::to_string(i);
      g.nodes.push_back(node("n" + std::to_string(i), "Sum", in, {out}));
      g.value_info[out] = value(out, DataType::kFloat32, {static_cast<int64_t>(1 + rng() % 100)});
    }
    g.outputs.push_back(value("v299", DataType::kFloat32, g.value_info["v299"].dims));
    const ExecutionPlan plan = plan_execution(g);
    const auto& v = plan.values;
    auto meets = [](const auto& a, const auto& b) { return a.first_op <= b.last_op && b.first_op <= a.last_op; };
    for (size_t a = 0; a < v.size(); ++a) {
      ASSERT_GE(v[a].offset, 0);
      EXPECT_LE(static_cast<uint64_t>(v[a].offset) + v[a].size, plan.arena_size);
      for (size_t b = a + 1; b < v.size(); ++b) {
        const bool disjoint = static_cast<uint64_t>(v[a].offset) + v[a].size <= static_cast<uint64_t>(v[b].offset) ||
                              static_cast<uint64_t>(v[b].offset) + v[b].size <= static_cast<uint64_t>(v[a].offset);
        EXPECT_TRUE(!meets(v[a], v[b]) || disjoint) << v[a].name << " and " << v[b].name;
      }
    }
    // Greedy by size: a value never fits lower, below every larger-or-earlier live value.
    for (size_t a = 0; a < v.size(); ++a) {
      for (int64_t lower = 0; lower < v[a].offset; lower += 64) {
        bool free = true;
        for (size_t b = 0; b < v.size() && free; ++b) {
          const bool placed_before = v[b].size > v[a].size || (v[b].size == v[a].size && b < a);
          if (b == a || !placed_before || !meets(v[a], v[b])) continue;
          free = static_cast<uint64_t>(lower) + v[a].size <= static_cast<uint64_t>(v[b].offset) ||
                 static_cast<uint64_t>(v[b].offset) + v[b].size <= static_cast<uint64_t>(lower);
        }
        EXPECT_FALSE(free) << v[a].name << " would fit at " << lower << " but sits at " << v[a].offset;
      }
    }
  }
}
