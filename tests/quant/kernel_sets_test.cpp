// Whole quantized models run by both kernel sets (ExecutorOptions::kernels), with FP16
// activations as an .om runs: the fast INT8 kernels (weights packed once per node; Dequant or
// Requant, then Swish/HardSwish and the next AscendQuant, run in the products' output stage;
// FP16 rounding in their stores; no second rounding of copied values) must give the plain
// reference's outputs bit for bit, on every run (the packed weights are reused), at every
// thread count, with the activations in the .om's memory-plan arena, and with an observer
// installed (which turns fusion and the arena off).

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "ptqc/om.h"
#include "ptqc/passes.h"
#include "ptqc/soc.h"
#include "quant/quant_test_graphs.h"
#include "quant/quantizer.h"
#include "trained_model_util.h"

using namespace ptqc;
using namespace ptqc::quant_testing;

namespace {

const std::string kModels = std::string(PTQC_SOURCE_DIR) + "/tests/models/";

/// The model in kModels/\p name with \p input_shape, quantized by its own config (\p tweak applied).
struct QuantizedModel {
  Graph int8;
  std::vector<std::vector<Tensor>> samples;
};

QuantizedModel quantized(const std::string& name, const std::string& input_shape,
                         const std::function<void(QuantConfig&)>& tweak = {}) {
  const std::string dir = kModels + name + "/";
  QuantConfig config = load_quant_config(dir + "quant.json");
  if (tweak) tweak(config);
  QuantizedModel m;
  m.int8 = trained_model(dir, input_shape);
  m.samples = held_out_samples(config, m.int8, dir);
  m.samples.resize(std::min<size_t>(m.samples.size(), 2));
  quantize(m.int8, config);
  return m;
}

/// True when \p a and \p b hold the same bytes.
bool same_bytes(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         std::memcmp(a.raw(), b.raw(), a.nbytes()) == 0;
}

/// Runs every sample three times with the fast kernels (1 and 2 threads; the last run with an
/// observer), with and without the .om's memory plan (TASK_INFO arena), and once with the
/// reference kernels, and expects the same output bytes every time. Outputs of earlier runs
/// must survive later ones (they never live in the arena).
void expect_kernel_sets_agree(const QuantizedModel& m, const std::vector<std::string>& int8_ops) {
  for (const std::string& op : int8_ops) ASSERT_GT(count_ops(m.int8, op), 0u) << op;
  ExecutorOptions reference_options{1, true};
  reference_options.kernels = KernelSet::kReference;
  Executor reference(m.int8, reference_options);
  for (int threads : {1, 2}) {
    for (bool planned : {false, true}) {
      Executor fast(m.int8, ExecutorOptions{threads, true});
      if (planned) fast.use_memory_plan(plan_execution(fast.graph()));
      ASSERT_EQ(fast.arena_bytes() > 0, planned);
      std::vector<std::pair<std::vector<Tensor>, std::vector<Tensor>>> kept;  // (expected, first run)
      for (const auto& sample : m.samples) {
        fast.set_observer({});
        const std::vector<Tensor> expected = reference.run(sample);
        for (int pass = 0; pass < 3; ++pass) {
          if (pass == 2) fast.set_observer([](const Node&, const std::string&, const Tensor&) {});
          const std::vector<Tensor> got = fast.run(sample);
          if (planned && pass == 0) EXPECT_GT(fast.values_in_arena(), 0u);
          ASSERT_EQ(got.size(), expected.size());
          for (size_t k = 0; k < got.size(); ++k) {
            EXPECT_TRUE(same_bytes(got[k], expected[k]))
                << "output " << k << ", " << threads << " threads, run " << pass << (planned ? ", arena" : "");
          }
          if (pass == 0) kept.emplace_back(expected, got);
        }
      }
      for (const auto& [expected, got] : kept) {
        for (size_t k = 0; k < got.size(); ++k) EXPECT_TRUE(same_bytes(got[k], expected[k])) << "kept output " << k;
      }
    }
  }
}

TEST(KernelSets, MobileDetectorConvsDepthwiseTransposedAndHardSwish) {
  expect_kernel_sets_agree(quantized("mobile_detector", "image:1,64,64,3"), {"QConv", "QConvTranspose", "HardSwish"});
}

TEST(KernelSets, TinyGptMatMulsAndAttentionProducts) {
  expect_kernel_sets_agree(quantized("tiny_gpt", "tokens:1,64", [](QuantConfig& c) { c.activation_matmul = true; }),
                           {"QMatMul", "QBatchMatMul"});
}

TEST(KernelSets, DigitClassifierPooling) {
  expect_kernel_sets_agree(quantized("digit_classifier", "image:1,1,16,16"), {"QConv", "QAveragePool", "QMatMul"});
}

/// x [1, 8, 20, 48] -> Conv 3x3 -> Swish -> Conv 1x1 (stride 2) -> Swish -> y, and the first
/// Swish also feeds Conv 1x1 -> Swish -> Add(., conv output) -> z: output stages of every
/// length (Dequant; Dequant + Swish; Dequant + Swish + Quant) and values with two readers.
Graph swish_convs() {
  Graph g;
  g.opset = 13;
  g.inputs = {float_value("x", {1, 8, 20, 48})};
  g.outputs = {float_value("y", {1, 16, 10, 24}), float_value("z", {1, 16, 20, 48})};
  std::mt19937 rng(31);
  std::normal_distribution<float> w(0.0f, 0.3f);
  const auto weights = [&](const char* name, Shape shape) {
    Tensor t(DataType::kFloat32, std::move(shape));
    for (float& v : t.values<float>()) v = w(rng);
    g.initializers[name] = t;
  };
  weights("w1", {16, 8, 3, 3});
  weights("w2", {16, 16, 1, 1});
  weights("w3", {16, 16, 1, 1});
  Node conv1 = node("conv1", "Conv", {"x", "w1"}, {"c1"});
  conv1.attrs["pads"] = Attribute::of_ints({1, 1, 1, 1});
  Node conv2 = node("conv2", "Conv", {"s1", "w2"}, {"c2"});
  conv2.attrs["strides"] = Attribute::of_ints({2, 2});
  g.nodes = {conv1, node("sig1", "Sigmoid", {"c1"}, {"g1"}), node("swish1", "Mul", {"c1", "g1"}, {"s1"}),
             conv2, node("sig2", "Sigmoid", {"c2"}, {"g2"}), node("swish2", "Mul", {"c2", "g2"}, {"y"}),
             node("conv3", "Conv", {"s1", "w3"}, {"c3"}), node("sig3", "Sigmoid", {"c3"}, {"g3"}),
             node("swish3", "Mul", {"c3", "g3"}, {"s3"}), node("add", "Add", {"s3", "c3"}, {"z"})};
  EXPECT_EQ(fuse_swish(g), 3u);
  return g;
}

/// swish_convs() quantized with min/max ranges, and three random samples.
QuantizedModel quantized_swish_convs() {
  QuantizedModel m;
  m.int8 = swish_convs();
  std::mt19937 rng(32);
  std::uniform_real_distribution<float> u(-2.0f, 2.0f);
  std::vector<Tensor> calibration;
  for (int i = 0; i < 3; ++i) {
    Tensor t(DataType::kFloat32, {1, 8, 20, 48});
    for (float& v : t.values<float>()) v = u(rng);
    calibration.push_back(t);
    m.samples.push_back({t});
  }
  QuantizeRequest request;
  request.soc = &find_soc("Ascend310P3");
  request.settings = [](const Node&) { return minmax_settings(); };
  request.batches = batches_of(calibration);
  quantize_graph(m.int8, request);
  return m;
}

TEST(KernelSets, SwishOutputStages) {
  const QuantizedModel m = quantized_swish_convs();
  EXPECT_EQ(count_ops(m.int8, "Swish"), 3u);
  expect_kernel_sets_agree(m, {"QConv", "AscendDequant", "AscendQuant"});
}

TEST(KernelSets, AnAbsorbedDequantWithBadScalesFailsNamingItself) {
  QuantizedModel m = quantized_swish_convs();
  Node* dequant = nullptr;
  for (Node& n : m.int8.nodes) {
    if (n.op_type == "AscendDequant" && !dequant) dequant = &n;
  }
  ASSERT_NE(dequant, nullptr);
  dequant->attrs["deq_scale"] = Attribute::of_floats({std::nanf("")});
  for (KernelSet kernels : {KernelSet::kFast, KernelSet::kReference}) {
    ExecutorOptions options{1, true};
    options.kernels = kernels;
    Executor executor(m.int8, options);
    try {
      executor.run(m.samples[0]);
      FAIL() << "no error";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidModel);
      EXPECT_NE(std::string(e.what()).find(dequant->name), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("deq_scale must be finite"), std::string::npos) << e.what();
    }
  }
}

TEST(KernelSets, NamesParseBackAndUnknownNamesAreRefused) {
  EXPECT_EQ(parse_kernel_set("fast", "--kernels"), KernelSet::kFast);
  EXPECT_EQ(parse_kernel_set("reference", "--kernels"), KernelSet::kReference);
  try {
    parse_kernel_set("vnni", "--kernels");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidValue);
    EXPECT_NE(std::string(e.what()).find("--kernels"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("reference"), std::string::npos) << e.what();
  }
}

}  // namespace
