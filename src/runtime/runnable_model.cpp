#include "ptqc/runnable_model.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "ptqc/error.h"
#include "ptqc/file_io.h"
#include "ptqc/onnx_frontend.h"
#include "ptqc/passes.h"
#include "ptqc/shape_inference.h"

namespace ptqc {

namespace {

/// True when \p path starts with the .om magic bytes "IMOD" (E19000 when it is not a regular file).
bool is_om_file(const std::string& path) {
  return regular_file_size(path, "model") >= 4 && read_file_range(path, 0, 4, "model") == "IMOD";
}

Executor load_om_model(const std::string& path, const std::string& input_shape_spec, ExecutorOptions options,
                       OmMetadata* om_meta) {
  OmModel model = read_om(path);
  if (om_meta) *om_meta = model.meta;
  if (!input_shape_spec.empty()) {
    for (const auto& [input_name, dims] : parse_input_shape(input_shape_spec)) {
      const std::string& name = input_name;  // clang 14 cannot capture a structured binding
      const auto it = std::find_if(model.graph.inputs.begin(), model.graph.inputs.end(),
                                   [&](const ValueInfo& v) { return v.name == name; });
      if (it == model.graph.inputs.end() || it->dims != dims) {
        throw Error(ErrorCode::kInvalidValue, "Value [" + input_shape_spec +
                                                  "] for parameter [--input_shape] is invalid. Reason: " + path +
                                                  " was compiled for fixed input shapes; '" + name + "' does not match");
      }
    }
  }
  options.float16_activations =
      model.meta.precision_mode == "force_fp16" || model.meta.precision_mode == "allow_mix_precision";
  Executor executor(std::move(model.graph), options);
  executor.use_memory_plan(model.plan);  // TASK_INFO: the activations' places in one arena
  return executor;
}

}  // namespace

Executor load_runnable_model(const std::string& path, const std::string& input_shape_spec, ExecutorOptions options,
                             OmMetadata* om_meta) {
  if (is_om_file(path)) return load_om_model(path, input_shape_spec, options, om_meta);
  LoadOptions load;
  if (!input_shape_spec.empty()) load.input_shapes = parse_input_shape(input_shape_spec);
  Graph graph = load_onnx_model(path, load);
  annotate_graph_shapes(graph);  // a graph it cannot run fails here, with the node, not mid-run
  const int threads = options.threads;
  optimize(graph, [threads](const Node& node, int64_t opset, const std::vector<const Tensor*>& inputs) {
    return evaluate_node(node, opset, inputs, threads);
  });
  spdlog::info("{}: {} nodes after optimisation", path, graph.nodes.size());
  Executor executor(std::move(graph), options);
  // The plan an .om keeps in TASK_INFO, made here for the shapes bound now.
  executor.use_memory_plan(plan_execution(executor.graph()));
  return executor;
}

}  // namespace ptqc
