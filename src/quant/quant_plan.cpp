#include "quant/quant_plan.h"

#include <set>

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
std::string weight_problem(const Graph& graph, const Node& node, const LayerSettings& settings) {
  if (node.op_type == "AveragePool" || node.op_type == "GlobalAveragePool") return "";
  if (node.inputs.size() < 2) return "has no weight input";
  if (is_activation_matmul(graph, node)) return activation_matmul_problem(graph, node, settings);
  const Tensor* w = graph.constant(node.inputs[1]);
  if (!w) return "weights are not constant";
  if (w->dtype() != DataType::kFloat32) return "weights are " + dtype_name(w->dtype()) + ", not float32";
  if (node.has_input(2) && !graph.constant(node.inputs[2])) return "bias is not constant";
  if (node.op_type == "ConvTranspose" && (node.has_attr("output_shape") || node.attr_string("auto_pad", "NOTSET") != "NOTSET")) {
    return "ConvTranspose with output_shape or auto_pad is not quantized";
  }
  if (node.op_type == "Conv" || node.op_type == "ConvTranspose") {
    if (w->rank() < 3 || w->rank() > 4) return "only 1-D and 2-D convolutions are quantized";
    const int64_t reduction = w->numel() / (node.op_type == "Conv" ? w->dim(0) : w->dim(1));
    if (reduction > kMaxReduction) return "reduction length " + std::to_string(reduction) + " could overflow int32";
    return "";
  }
  if (w->rank() != 2) return "weights of rank " + std::to_string(w->rank()) + " (only 2-D weights are quantized)";
  if (node.op_type == "Gemm" && node.attr_int("transA", 0) != 0) return "Gemm with transA=1 is not quantized";
  const bool trans_b = node.op_type == "Gemm" && node.attr_int("transB", 0) != 0;
  const int64_t reduction = trans_b ? w->dim(1) : w->dim(0);
  if (reduction > kMaxReduction) return "reduction length " + std::to_string(reduction) + " could overflow int32";
  const int64_t columns = trans_b ? w->dim(0) : w->dim(1);
  if (node.op_type == "Gemm" && node.has_input(2)) {
    const Tensor* c = graph.constant(node.inputs[2]);
    const bool per_column = c->numel() == columns && (c->rank() == 1 || (c->rank() == 2 && c->dim(0) == 1));
    if (c->numel() != 1 && !per_column) return "Gemm's C is not a scalar or one value per column";
  }
  return "";
}

}  // namespace

bool is_activation_matmul(const Graph& graph, const Node& node) {
  return node.op_type == "MatMul" && node.inputs.size() >= 2 && !graph.is_constant(node.inputs[1]);
}

bool is_quantizable_op_type(const std::string& op_type) {
  static const std::set<std::string> types = {"Conv", "ConvTranspose", "Gemm", "MatMul", "AveragePool", "GlobalAveragePool"};
  return types.count(op_type) != 0;
}

std::vector<LayerDecision> plan_quantization(const Graph& graph, const SocInfo& soc, const LayerSettingsFn& settings) {
  std::vector<LayerDecision> decisions;
  for (const Node& node : graph.nodes) {
    LayerDecision d{node.name, node.op_type, false, "", {}};
    if (!node.domain.empty() && node.domain != "ai.onnx" && node.domain != "ptqc") {
      d.reason = "op of domain '" + node.domain + "'";
    } else if (!is_quantizable_op_type(node.op_type)) {
      d.reason = "no INT8 kernel for " + node.op_type + ": runs in float";
    } else if (!soc.int8_cube) {
      d.reason = soc.name + " has no INT8 cube unit";
    } else {
      d.settings = settings(node);
      const std::string problem = weight_problem(graph, node, d.settings);
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
