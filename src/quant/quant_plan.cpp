#include "quant/quant_plan.h"

#include "runtime/quant_traits.h"

namespace ptqc {

namespace {

/// The largest reduction length QConv/QMatMul accept: 127 * 255 * K must stay below 2^31.
constexpr int64_t kMaxReduction = 66000;
/// The same for QBatchMatMul, whose both operands carry offsets: 255 * 255 * K < 2^31.
constexpr int64_t kMaxActivationReduction = 33000;

/// Empty when the activation × activation MatMul \p node allows INT8, else the reason it does not.
std::string activation_matmul_problem(const Graph& graph, const Node& node, const LayerSettings& settings) {
  if (!settings.activation_matmul) return "activation x activation MatMul (quantize_info.activation_matmul is false)";
  const std::optional<ValueInfo> a = graph.info(node.inputs[0]);
  if (a && a->is_static() && !a->dims.empty() && a->dims.back() > kMaxActivationReduction) {
    return "reduction length " + std::to_string(a->dims.back()) + " could overflow int32";
  }
  return "";
}

/// Empty when \p node's weights allow INT8, else the reason they do not.
std::string weight_problem(const Graph& graph, const Node& node, const QuantTraits& traits, const LayerSettings& settings) {
  if (!traits.weighted) return "";
  if (node.inputs.size() < 2) return "has no weight input";
  if (is_activation_matmul(graph, node)) return activation_matmul_problem(graph, node, settings);
  const Tensor* w = graph.constant(node.inputs[1]);
  if (!w) return "weights are not constant";
  if (w->dtype() != DataType::kFloat32) return "weights are " + dtype_name(w->dtype()) + ", not float32";
  const Tensor* bias = traits.has_bias && node.has_input(2) ? graph.constant(node.inputs[2]) : nullptr;
  if (traits.has_bias && node.has_input(2) && !bias) return "bias is not constant";
  if (std::string why = traits.unsupported(node, w->shape()); !why.empty()) return why;
  const std::optional<WeightLayout> layout = traits.layout(node, w->shape());
  if (!layout) return "weights of shape " + shape_string(w->shape()) + " do not fit " + node.op_type;
  if (layout->reduction > kMaxReduction) {
    return "reduction length " + std::to_string(layout->reduction) + " could overflow int32";
  }
  if (bias && !is_channel_bias(*bias, layout->channels)) {
    return node.op_type + "'s bias is not a scalar or one value per output channel";
  }
  return "";
}

}  // namespace

bool is_activation_matmul(const Graph& graph, const Node& node) {
  const QuantTraits* traits = quant_traits(node);
  return traits && traits->activation_int8_op && node.inputs.size() >= 2 && !graph.is_constant(node.inputs[1]);
}

std::vector<LayerDecision> plan_quantization(const Graph& graph, const SocInfo& soc, const LayerSettingsFn& settings) {
  std::vector<LayerDecision> decisions;
  for (const Node& node : graph.nodes) {
    LayerDecision d{node.name, node.op_type, false, "", {}};
    const QuantTraits* traits = quant_traits(node);
    if (!node.domain.empty() && node.domain != "ai.onnx" && node.domain != "ptqc") {
      d.reason = "op of domain '" + node.domain + "'";
    } else if (!traits) {
      d.reason = "no INT8 kernel for " + node.op_type + ": runs in float";
    } else if (!soc.int8_cube) {
      d.reason = soc.name + " has no INT8 cube unit";
    } else {
      d.settings = settings(node);
      const std::string problem = weight_problem(graph, node, *traits, d.settings);
      if (d.settings.skip) {
        d.reason = d.settings.skip_reason.empty() ? "skipped by the quantization config" : d.settings.skip_reason;
      } else if (!problem.empty()) {
        d.reason = problem;
      } else {
        d.quantized = true;
      }
    }
    decisions.push_back(std::move(d));
  }
  return decisions;
}

}  // namespace ptqc
