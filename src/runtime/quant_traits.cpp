#include "runtime/quant_traits.h"

#include "runtime/op_registry.h"

namespace ptqc {

namespace {

/// Conv: W is [M, C/group, k...]; channel m owns the m-th contiguous block.
std::optional<WeightLayout> conv_layout(const Node&, const Shape& w) {
  if (w.size() < 3 || shape_numel(w) <= 0) return std::nullopt;
  const int64_t per_channel = shape_numel(w) / w[0];
  return WeightLayout{w[0], per_channel, 0, false, [per_channel](int64_t i) { return i / per_channel; }};
}

/// ConvTranspose: W is [C, M/group, k...]; input channel c of group g feeds output g*(M/group) + j.
std::optional<WeightLayout> conv_transpose_layout(const Node& node, const Shape& w) {
  const int64_t group = node.attr_int("group", 1);
  if (w.size() < 3 || shape_numel(w) <= 0 || group <= 0 || w[0] % group != 0) return std::nullopt;
  const int64_t c_per_group = w[0] / group, m_per_group = w[1];
  const int64_t kernel = shape_numel(w) / (w[0] * w[1]);
  const int64_t channels = m_per_group * group;
  return WeightLayout{channels, shape_numel(w) / channels, group == 1 ? 1 : -1, false, [=](int64_t i) {
                        const int64_t c = i / (m_per_group * kernel), j = i / kernel % m_per_group;
                        return c / c_per_group * m_per_group + j;
                      }};
}

/// B of a product: [K, N], or [N, K] when \p transposed.
std::optional<WeightLayout> product_layout(const Shape& w, bool transposed) {
  if (w.size() != 2 || w[0] <= 0 || w[1] <= 0) return std::nullopt;
  if (transposed) {
    const int64_t k = w[1];
    return WeightLayout{w[0], k, 0, true, [k](int64_t i) { return i / k; }};
  }
  const int64_t n = w[1];
  return WeightLayout{n, w[0], 1, false, [n](int64_t i) { return i % n; }};
}

std::optional<WeightLayout> gemm_layout(const Node& node, const Shape& w) {
  return product_layout(w, node.attr_int("transB", 0) != 0);
}

std::optional<WeightLayout> matmul_layout(const Node&, const Shape& w) { return product_layout(w, false); }

std::string rank_problem(const Shape& w, size_t lo, size_t hi, const char* what) {
  if (w.size() >= lo && w.size() <= hi) return "";
  return "weights of rank " + std::to_string(w.size()) + " (" + what + ")";
}

std::string conv_unsupported(const Node&, const Shape& w) {
  return rank_problem(w, 3, 4, "only 1-D and 2-D convolutions are quantized");
}

std::string conv_transpose_unsupported(const Node& node, const Shape& w) {
  if (node.has_attr("output_shape") || node.attr_string("auto_pad", "NOTSET") != "NOTSET") {
    return "ConvTranspose with output_shape or auto_pad is not quantized";
  }
  return conv_unsupported(node, w);
}

std::string matmul_unsupported(const Node&, const Shape& w) {
  return rank_problem(w, 2, 2, "only 2-D weights are quantized");
}

std::string gemm_unsupported(const Node& node, const Shape& w) {
  if (node.attr_int("transA", 0) != 0) return "Gemm with transA=1 is not quantized";
  return matmul_unsupported(node, w);
}

const std::vector<std::string> kConvAttrs = {"strides", "dilations", "group", "output_padding"};

}  // namespace

const QuantTraits kConvQuantTraits{.int8_op = "QConv",
                                   .has_bias = true,
                                   .always_per_channel = true,
                                   .int8_attrs = kConvAttrs,
                                   .pads = Int8Pads::kWeightKernel,
                                   .layout = conv_layout,
                                   .unsupported = conv_unsupported};

const QuantTraits kConvTransposeQuantTraits{.int8_op = "QConvTranspose",
                                            .has_bias = true,
                                            .always_per_channel = true,
                                            .scatters = true,
                                            .int8_attrs = kConvAttrs,
                                            .pads = Int8Pads::kWeightKernel,
                                            .layout = conv_transpose_layout,
                                            .unsupported = conv_transpose_unsupported};

const QuantTraits kGemmQuantTraits{.int8_op = "QMatMul",
                                   .has_bias = true,
                                   .channels_last = true,
                                   .product_scale = "alpha",
                                   .bias_scale = "beta",
                                   .layout = gemm_layout,
                                   .unsupported = gemm_unsupported};

const QuantTraits kMatMulQuantTraits{.int8_op = "QMatMul",
                                     .activation_int8_op = "QBatchMatMul",
                                     .channels_last = true,
                                     .layout = matmul_layout,
                                     .unsupported = matmul_unsupported};

const QuantTraits kAveragePoolQuantTraits{
    .int8_op = "QAveragePool",
    .weighted = false,
    .int8_attrs = {"kernel_shape", "strides", "ceil_mode", "count_include_pad", "dilations"},
    .pads = Int8Pads::kKernelShape};

const QuantTraits kGlobalAveragePoolQuantTraits{.int8_op = "QAveragePool", .weighted = false, .global = true};

const QuantTraits* quant_traits(const Node& node) {
  const OpEntry* entry = OpRegistry::instance().find(node.op_type, node.domain);
  return entry ? entry->traits.quant : nullptr;
}

std::optional<WeightLayout> weight_layout(const Node& node, const Shape& w) {
  const QuantTraits* traits = quant_traits(node);
  if (!traits || !traits->layout) return std::nullopt;
  return traits->layout(node, w);
}

namespace {

float scale_attribute(const Node& node, const char* QuantTraits::*member) {
  const QuantTraits* traits = quant_traits(node);
  const char* name = traits ? traits->*member : nullptr;
  return name ? node.attr_float(name, 1.0f) : 1.0f;
}

}  // namespace

float product_scale(const Node& node) { return scale_attribute(node, &QuantTraits::product_scale); }

float bias_scale(const Node& node) { return scale_attribute(node, &QuantTraits::bias_scale); }

bool is_channel_bias(const Tensor& bias, int64_t channels) {
  if (bias.numel() == 1) return true;
  return bias.numel() == channels && (bias.rank() == 1 || (bias.rank() == 2 && bias.dim(0) == 1));
}

}  // namespace ptqc
