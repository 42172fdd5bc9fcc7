#pragma once
// The models of tests/models trained on real data (mobile_detector, text_recognizer), loaded,
// quantized through their own config like the compiler does, and their held-out samples.

#include <string>
#include <vector>

#include "cli/calibration_input.h"
#include "cli/tool_support.h"
#include "compare/metrics.h"
#include "ptqc/onnx_frontend.h"
#include "ptqc/passes.h"
#include "ptqc/quant_config.h"
#include "ptqc/shape_inference.h"
#include "ptqc/soc.h"
#include "quant/quantizer.h"

namespace ptqc::quant_testing {

/// DIR/model.onnx with \p input_shape bound, shape-checked and optimized as the compiler does.
inline Graph trained_model(const std::string& dir, const std::string& input_shape) {
  LoadOptions options;
  options.input_shapes = parse_input_shape(input_shape);
  Graph g = load_onnx_model(dir + "model.onnx", options);
  annotate_graph_shapes(g);
  optimize(g, [](const Node& n, int64_t opset, const std::vector<const Tensor*>& in) { return evaluate_node(n, opset, in); });
  return g;
}

/// The held-out samples of DIR/eval.txt, read as the config reads its calibration images.
inline std::vector<std::vector<Tensor>> held_out_samples(const QuantConfig& config, const Graph& g, const std::string& dir) {
  QuantConfig eval = config;
  eval.dataset.image_list_file = dir + "eval.txt";
  const BatchSource next = cli::calibration_input(eval, g).make_source();
  std::vector<std::vector<Tensor>> samples;
  std::vector<Tensor> in;
  while (next(in)) samples.push_back(in);
  return samples;
}

/// Quantizes \p g in place with \p config's common settings, as `ptqc` does (float16: judge an
/// accuracy target with FP16 float layers, as under force_fp16).
inline QuantizeReport quantize(Graph& g, const QuantConfig& config, bool float16 = false) {
  const cli::CalibrationInput input = cli::calibration_input(config, g);
  QuantizeRequest request;
  request.soc = &find_soc("Ascend310P3");
  request.settings = [&config](const Node&) {
    LayerSettings s;
    s.activation = config.common.activation;
    s.weights = config.common.weight_algorithm;
    s.activation_matmul = config.activation_matmul;
    return s;
  };
  request.batches = input.make_source;
  request.expected_batches = input.batches;
  request.bias_correction = config.bias_correction;
  request.exact_ranges = config.exact_input_ranges();
  request.accuracy_target = config.accuracy_target;
  if (config.accuracy_target && !config.accuracy_target->eval_list_file.empty()) {
    request.eval_batches = cli::evaluation_input(config, g).make_source;
  }
  request.float16 = float16;
  return quantize_graph(g, request);
}

/// The share of the rows of output 0 (its last axis holds the classes: time steps of a
/// recognizer, positions of a GPT) whose arg-max class agrees between \p fp32 and \p int8, over
/// every sample; each output must have \p shape.
inline double step_agreement(const Graph& fp32, const Graph& int8, const std::vector<std::vector<Tensor>>& samples,
                             const Shape& shape) {
  Executor f(fp32), q(int8);
  TopkCounts total;
  for (const auto& s : samples) {
    const Tensor a = f.run(s)[0], b = q.run(s)[0];
    EXPECT_EQ(a.shape(), shape);
    const TopkCounts c = topk_agreement(a.values<float>(), b.values<float>(), shape.back(), 1);
    total.rows += c.rows;
    total.top1_hits += c.top1_hits;
  }
  return double(total.top1_hits) / double(total.rows);
}

/// Nodes of \p g of type \p op_type.
inline size_t count_ops(const Graph& g, const std::string& op_type) {
  size_t n = 0;
  for (const Node& node : g.nodes) n += node.op_type == op_type ? 1 : 0;
  return n;
}

}  // namespace ptqc::quant_testing
