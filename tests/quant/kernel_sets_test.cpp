// Whole quantized models run by both kernel sets (ExecutorOptions::kernels), with FP16
// activations as an .om runs: the fast INT8 kernels (weights packed once per node, Dequant and
// Requant fused into the products, FP16 rounding in their stores, no second rounding of copied
// values) must give the plain reference's outputs bit for bit, on every run (the packed weights
// are reused), at every thread count, and with an observer installed (which turns fusion off).

#include <gtest/gtest.h>

#include <cstring>

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

/// Runs every sample twice with the fast kernels (1 and 2 threads) and once with the reference
/// kernels, and expects the same output bytes every time.
void expect_kernel_sets_agree(const QuantizedModel& m, const std::vector<std::string>& int8_ops) {
  for (const std::string& op : int8_ops) ASSERT_GT(count_ops(m.int8, op), 0u) << op;
  ExecutorOptions reference_options{1, true};
  reference_options.kernels = KernelSet::kReference;
  Executor reference(m.int8, reference_options);
  for (int threads : {1, 2}) {
    Executor fast(m.int8, ExecutorOptions{threads, true});
    for (const auto& sample : m.samples) {
      fast.set_observer({});
      const std::vector<Tensor> expected = reference.run(sample);
      for (int pass = 0; pass < 3; ++pass) {
        if (pass == 2) fast.set_observer([](const Node&, const std::string&, const Tensor&) {});
        const std::vector<Tensor> got = fast.run(sample);
        ASSERT_EQ(got.size(), expected.size());
        for (size_t k = 0; k < got.size(); ++k) {
          EXPECT_TRUE(same_bytes(got[k], expected[k])) << "output " << k << ", " << threads << " threads, run " << pass;
        }
      }
    }
  }
}

TEST(KernelSets, MobileDetectorConvsDepthwiseAndTransposed) {
  expect_kernel_sets_agree(quantized("mobile_detector", "image:1,64,64,3"), {"QConv", "QConvTranspose"});
}

TEST(KernelSets, TinyGptMatMulsAndAttentionProducts) {
  expect_kernel_sets_agree(quantized("tiny_gpt", "tokens:1,64", [](QuantConfig& c) { c.activation_matmul = true; }),
                           {"QMatMul", "QBatchMatMul"});
}

TEST(KernelSets, DigitClassifierPooling) {
  expect_kernel_sets_agree(quantized("digit_classifier", "image:1,1,16,16"), {"QConv", "QAveragePool", "QMatMul"});
}

TEST(KernelSets, NamesParseBackAndUnknownNamesAreRefused) {
  for (KernelSet k : {KernelSet::kFast, KernelSet::kReference}) EXPECT_EQ(parse_kernel_set(kernel_set_name(k), "--kernels"), k);
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
