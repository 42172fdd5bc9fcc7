// Quantization traits in the op registry: which ops have an INT8 form, and how each one's
// weight layout maps weight elements to output channels and to the INT8 weight.

#include "runtime/quant_traits.h"

#include <gtest/gtest.h>

#include <set>

#include "runtime/op_registry.h"
#include "support/test_models.h"

namespace ptqc {
namespace {

using testing_support::make_node;

Node node_of(const std::string& op, std::map<std::string, int64_t> ints = {}) {
  Node n = make_node("layer", op, {"x", "w", "b"}, {"y"});
  for (const auto& [key, v] : ints) n.attrs[key] = Attribute::of_int(v);
  return n;
}

TEST(QuantTraits, TheRegistryHoldsThemForTheOpsWithAnInt8Form) {
  std::set<std::string> quantizable;
  for (const std::string& op : OpRegistry::instance().op_types()) {
    const OpEntry* entry = OpRegistry::instance().find(op);
    if (entry && entry->traits.quant) quantizable.insert(op);
  }
  // docs/quantization.md: the ops the INT8 path covers.
  EXPECT_EQ(quantizable, (std::set<std::string>{"AveragePool", "Conv", "ConvTranspose", "Gemm", "GlobalAveragePool", "MatMul"}));
  EXPECT_EQ(quant_traits(node_of("Relu")), nullptr);
  Node in_ptqc_domain = node_of("QConv");
  in_ptqc_domain.domain = kPtqcDomain;
  EXPECT_EQ(quant_traits(in_ptqc_domain), nullptr);
  EXPECT_STREQ(quant_traits(node_of("MatMul"))->activation_int8_op, "QBatchMatMul");
  EXPECT_EQ(quant_traits(node_of("Gemm"))->activation_int8_op, nullptr);
}

/// Checks the layout's invariants for a weight of \p shape: each channel receives exactly
/// `reduction` elements, int8_index is a permutation, and a non-negative scale_axis is the
/// weight axis whose index is the channel.
void expect_consistent(const WeightLayout& layout, const Shape& shape) {
  const int64_t numel = shape_numel(shape);
  ASSERT_EQ(layout.channels * layout.reduction, numel);
  std::vector<int64_t> per_channel(static_cast<size_t>(layout.channels), 0);
  std::vector<bool> hit(static_cast<size_t>(numel), false);
  for (int64_t i = 0; i < numel; ++i) {
    const int64_t c = layout.channel_of(i);
    ASSERT_GE(c, 0);
    ASSERT_LT(c, layout.channels);
    ++per_channel[static_cast<size_t>(c)];
    const int64_t j = layout.int8_index(i);
    ASSERT_GE(j, 0);
    ASSERT_LT(j, numel);
    EXPECT_FALSE(hit[static_cast<size_t>(j)]) << "int8 index " << j << " used twice";
    hit[static_cast<size_t>(j)] = true;
    if (layout.scale_axis >= 0) {
      int64_t inner = 1;
      for (size_t d = static_cast<size_t>(layout.scale_axis) + 1; d < shape.size(); ++d) inner *= shape[d];
      EXPECT_EQ(c, i / inner % shape[static_cast<size_t>(layout.scale_axis)]) << "element " << i;
    }
  }
  for (int64_t n : per_channel) EXPECT_EQ(n, layout.reduction);
}

TEST(QuantTraits, ConvChannelsAreDim0) {
  const auto layout = weight_layout(node_of("Conv"), {4, 3, 2, 2});
  ASSERT_TRUE(layout);
  EXPECT_EQ(layout->channels, 4);
  EXPECT_EQ(layout->reduction, 12);
  EXPECT_EQ(layout->scale_axis, 0);
  EXPECT_FALSE(layout->transposed);
  expect_consistent(*layout, {4, 3, 2, 2});
  EXPECT_EQ(layout->channel_of(25), 2);
}

TEST(QuantTraits, ConvTransposeChannelsDependOnTheGroup) {
  const auto single = weight_layout(node_of("ConvTranspose"), {2, 3, 2});
  ASSERT_TRUE(single);
  EXPECT_EQ(single->channels, 3);
  EXPECT_EQ(single->scale_axis, 1);
  expect_consistent(*single, {2, 3, 2});

  // group 2, W [C=4, M/g=3, k=2]: input channels 0-1 feed outputs 0-2, channels 2-3 outputs 3-5.
  const auto grouped = weight_layout(node_of("ConvTranspose", {{"group", 2}}), {4, 3, 2});
  ASSERT_TRUE(grouped);
  EXPECT_EQ(grouped->channels, 6);
  EXPECT_EQ(grouped->reduction, 4);
  EXPECT_EQ(grouped->scale_axis, -1);
  expect_consistent(*grouped, {4, 3, 2});
  for (int64_t c = 0; c < 4; ++c) {
    for (int64_t j = 0; j < 3; ++j) {
      for (int64_t k = 0; k < 2; ++k) EXPECT_EQ(grouped->channel_of((c * 3 + j) * 2 + k), c / 2 * 3 + j);
    }
  }
  EXPECT_FALSE(weight_layout(node_of("ConvTranspose", {{"group", 3}}), {4, 3, 2}));  // 4 channels in 3 groups
}

TEST(QuantTraits, GemmWithTransBIsStoredTransposed) {
  const auto plain = weight_layout(node_of("Gemm"), {3, 5});  // [K, N]
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->channels, 5);
  EXPECT_EQ(plain->reduction, 3);
  EXPECT_EQ(plain->scale_axis, 1);
  EXPECT_FALSE(plain->transposed);
  expect_consistent(*plain, {3, 5});

  const auto transposed = weight_layout(node_of("Gemm", {{"transB", 1}}), {5, 3});  // [N, K] -> INT8 [K, N]
  ASSERT_TRUE(transposed);
  EXPECT_EQ(transposed->channels, 5);
  EXPECT_EQ(transposed->scale_axis, 0);
  EXPECT_TRUE(transposed->transposed);
  expect_consistent(*transposed, {5, 3});
  for (int64_t n = 0; n < 5; ++n) {
    for (int64_t k = 0; k < 3; ++k) EXPECT_EQ(transposed->int8_index(n * 3 + k), k * 5 + n);
  }
  // MatMul has no transB: the same attribute does not change its layout.
  EXPECT_FALSE(weight_layout(node_of("MatMul", {{"transB", 1}}), {5, 3})->transposed);
}

TEST(QuantTraits, ShapesThatDoNotFitHaveNoLayout) {
  EXPECT_FALSE(weight_layout(node_of("Conv"), {4, 3}));
  EXPECT_FALSE(weight_layout(node_of("Conv"), {0, 3, 1, 1}));
  EXPECT_FALSE(weight_layout(node_of("MatMul"), {2, 3, 4}));
  EXPECT_FALSE(weight_layout(node_of("Gemm"), {3, 0}));
  EXPECT_FALSE(weight_layout(node_of("AveragePool"), {1, 1, 1}));  // no weights
  EXPECT_FALSE(weight_layout(node_of("Relu"), {2, 2}));
}

TEST(QuantTraits, OnlyGemmScalesItsProductAndBias) {
  Node gemm = node_of("Gemm");
  gemm.attrs["alpha"] = Attribute::of_float(0.5f);
  gemm.attrs["beta"] = Attribute::of_float(2.0f);
  EXPECT_EQ(product_scale(gemm), 0.5f);
  EXPECT_EQ(bias_scale(gemm), 2.0f);
  EXPECT_EQ(product_scale(node_of("Gemm")), 1.0f);
  Node conv = node_of("Conv");
  conv.attrs["alpha"] = Attribute::of_float(0.5f);  // not a Conv attribute: ignored
  EXPECT_EQ(product_scale(conv), 1.0f);
  EXPECT_EQ(bias_scale(conv), 1.0f);
}

TEST(QuantTraits, UnsupportedFormsSayWhy) {
  const QuantTraits& gemm = *quant_traits(node_of("Gemm"));
  EXPECT_EQ(gemm.unsupported(node_of("Gemm"), {3, 5}), "");
  EXPECT_NE(gemm.unsupported(node_of("Gemm", {{"transA", 1}}), {3, 5}).find("transA=1"), std::string::npos);
  const QuantTraits& conv = *quant_traits(node_of("Conv"));
  EXPECT_NE(conv.unsupported(node_of("Conv"), {1, 1, 1, 1, 1}).find("rank 5"), std::string::npos);
  Node deconv = node_of("ConvTranspose");
  deconv.attrs["auto_pad"] = Attribute::of_string("SAME_UPPER");
  EXPECT_NE(quant_traits(deconv)->unsupported(deconv, {2, 3, 2, 2}).find("auto_pad"), std::string::npos);
}

TEST(QuantTraits, ChannelBiasIsAScalarOrOneValuePerChannel) {
  EXPECT_TRUE(is_channel_bias(Tensor(DataType::kFloat32, {}), 4));
  EXPECT_TRUE(is_channel_bias(Tensor(DataType::kFloat32, {4}), 4));
  EXPECT_TRUE(is_channel_bias(Tensor(DataType::kFloat32, {1, 4}), 4));
  EXPECT_FALSE(is_channel_bias(Tensor(DataType::kFloat32, {4, 1}), 4));
  EXPECT_FALSE(is_channel_bias(Tensor(DataType::kFloat32, {3}), 4));
  EXPECT_FALSE(is_channel_bias(Tensor(DataType::kFloat32, {2, 4}), 4));
}

}  // namespace
}  // namespace ptqc
