// Model bytes -> ONNX model -> IR -> shape check -> graph passes: what a compile does with a
// model before it calibrates or writes anything.
#include "fuzz_support.h"
#include "ptqc/executor.h"
#include "ptqc/onnx_frontend.h"
#include "ptqc/passes.h"
#include "ptqc/shape_inference.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ptqc::fuzz::initialize();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return ptqc::fuzz::expect_only_coded_errors([&] {
    ptqc::Graph graph = ptqc::parse_onnx_model(ptqc::fuzz::bytes_of(data, size), "fuzz/model.onnx");
    ptqc::annotate_graph_shapes(graph);
    ptqc::optimize(graph, [](const ptqc::Node& n, int64_t opset, const std::vector<const ptqc::Tensor*>& in) {
      return ptqc::evaluate_node(n, opset, in);
    });
  });
}
