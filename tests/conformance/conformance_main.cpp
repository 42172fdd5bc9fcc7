// The ONNX backend conformance suites (node, pytorch-converted, pytorch-operator)
// run through ptqc's frontend, passes and executor, one GoogleTest case per
// test folder. A case whose ops are all in ptqc's op set must pass unless it is
// listed in known_failures.txt with a reason; a listed case that passes fails the
// run, so the list only shrinks.
//
// Tolerance: |got - want| <= atol + rtol * |want| with rtol 1e-3, atol 1e-5 for
// float32/float64 outputs (the ONNX backend runner's rtol); 1e-2 / 1e-3 when the
// expected output is float16/bfloat16 (ptqc computes those in float32).
// Integer and bool outputs must match exactly; NaN matches NaN.

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "ptqc/error.h"
#include "ptqc/executor.h"
#include "ptqc/onnx_frontend.h"
#include "ptqc/passes.h"
#include "ptqc/shape_inference.h"

namespace fs = std::filesystem;
using namespace ptqc;

namespace {

const char* const kSuites[] = {"node", "pytorch-converted", "pytorch-operator", "simple"};

struct Tally {
  std::map<std::string, int> passed, known, failed, skipped;
  int outputs_predicted = 0, outputs_deferred = 0;  ///< by compile-time shape inference
};
Tally g_tally;

std::map<std::string, std::string> read_known_failures() {
  std::map<std::string, std::string> known;
  std::ifstream in(PTQC_KNOWN_FAILURES);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string name;
    fields >> name;
    std::string reason;
    std::getline(fields, reason);
    known[name] = reason;
  }
  return known;
}

/// The first op of the model at \p path without a kernel, or "" when every op has one.
/// Read from the protobuf directly, so models using types ptqc rejects (strings) are still classified.
std::string first_unsupported_op(const fs::path& path) {
  onnx::ModelProto model;
  std::ifstream in(path, std::ios::binary);
  if (!model.ParseFromIstream(&in)) return "";  // let the frontend report the parse error
  for (const auto& node : model.graph().node()) {
    if (!node.domain().empty() && node.domain() != "ai.onnx") return node.domain() + "." + node.op_type();
    if (node.op_type() != "Constant" && !is_op_supported(node.op_type())) return node.op_type();
  }
  return "";
}

std::string compare(const Tensor& got, const Tensor& want, const std::string& name) {
  if (got.shape() != want.shape()) {
    return name + ": shape " + shape_string(got.shape()) + ", expected " + shape_string(want.shape());
  }
  if (is_float(want.dtype())) {
    if (!is_float(got.dtype())) return name + ": dtype " + dtype_name(got.dtype()) + ", expected " + dtype_name(want.dtype());
    const bool half = want.dtype() == DataType::kFloat16 || want.dtype() == DataType::kBFloat16;
    const double rtol = half ? 1e-2 : 1e-3, atol = half ? 1e-3 : 1e-5;
    const auto g = got.to_float_vector(), w = want.to_float_vector();
    for (size_t i = 0; i < w.size(); ++i) {
      if (std::isnan(w[i]) && std::isnan(g[i])) continue;
      if (std::isinf(w[i]) && g[i] == w[i]) continue;
      if (!(std::fabs(double(g[i]) - w[i]) <= atol + rtol * std::fabs(double(w[i])))) {
        return name + ": element " + std::to_string(i) + " is " + std::to_string(g[i]) + ", expected " + std::to_string(w[i]);
      }
    }
    return "";
  }
  if (got.dtype() != want.dtype()) return name + ": dtype " + dtype_name(got.dtype()) + ", expected " + dtype_name(want.dtype());
  const auto g = got.to_int64_vector(), w = want.to_int64_vector();
  for (size_t i = 0; i < w.size(); ++i) {
    if (g[i] != w[i]) return name + ": element " + std::to_string(i) + " is " + std::to_string(g[i]) + ", expected " + std::to_string(w[i]);
  }
  return "";
}

/// ONNX 1.12's test data stores bfloat16 tensors as uint16 bit patterns: read them as bfloat16.
Tensor as_bfloat16_bits(const Tensor& t) {
  Tensor out(DataType::kBFloat16, t.shape());
  if (t.nbytes()) std::memcpy(out.raw(), t.raw(), t.nbytes());
  return out;
}

/// The test-data tensor \p t as the value \p info declares (bfloat16 bits, then any promotion).
Tensor as_declared(const Tensor& t, const ValueInfo& info) {
  const DataType declared = info.declared_dtype != DataType::kUndefined ? info.declared_dtype : info.dtype;
  const Tensor bits = t.dtype() == DataType::kUInt16 && declared == DataType::kBFloat16 ? as_bfloat16_bits(t) : t;
  return bits.dtype() == info.dtype ? bits : cast_tensor(bits, info.dtype);
}

/// Compile-time shape inference (ptqc::infer_graph_shapes) with the inputs' shapes bound must
/// accept the graph and predict the type and shape of every output it infers exactly as the
/// run produced them. "" when it does, otherwise what differs.
std::string check_inferred_shapes(const Graph& graph, const std::vector<Tensor>& inputs,
                                  const std::vector<Tensor>& outputs) {
  Graph bound = graph;
  for (size_t i = 0; i < inputs.size(); ++i) {
    bound.inputs[i].dims = inputs[i].shape();
    bound.inputs[i].has_shape = true;
  }
  const ShapeCheck check = infer_graph_shapes(bound);
  if (check.failure) return std::string("shape inference rejects a graph that runs: ") + check.failure->what();
  for (size_t k = 0; k < outputs.size(); ++k) {
    const ValueInfo& inferred = check.outputs[k];
    if (!inferred.has_shape) {  // deferred to run time
      ++g_tally.outputs_deferred;
      continue;
    }
    ++g_tally.outputs_predicted;
    if (inferred.dtype != outputs[k].dtype() || inferred.dims != outputs[k].shape()) {
      return "shape inference predicts " + dtype_name(inferred.dtype) + " " + shape_string(inferred.dims) + " for " +
             inferred.name + ", the run gives " + dtype_name(outputs[k].dtype()) + " " + shape_string(outputs[k].shape());
    }
  }
  return "";
}

/// Runs every test_data_set of \p dir; returns "" on success or the first mismatch.
std::string run_case(const fs::path& dir, Executor& executor) {
  std::vector<fs::path> sets;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_directory() && e.path().filename().string().rfind("test_data_set", 0) == 0) sets.push_back(e.path());
  }
  std::sort(sets.begin(), sets.end());
  if (sets.empty()) return "no test_data_set folder";
  const Graph& graph = executor.graph();
  for (const auto& set : sets) {
    std::vector<Tensor> inputs;
    for (size_t i = 0; i < graph.inputs.size(); ++i) {
      const Tensor t = load_tensor_proto_file((set / ("input_" + std::to_string(i) + ".pb")).string());
      inputs.push_back(as_declared(t, graph.inputs[i]));
    }
    const auto outputs = executor.run(inputs);
    const std::string shapes = check_inferred_shapes(graph, inputs, outputs);
    if (!shapes.empty()) return set.filename().string() + ": " + shapes;
    for (size_t k = 0; k < outputs.size(); ++k) {
      const fs::path want_path = set / ("output_" + std::to_string(k) + ".pb");
      if (!fs::exists(want_path)) continue;
      Tensor want = load_tensor_proto_file(want_path.string());
      if (want.dtype() == DataType::kUInt16 && outputs[k].dtype() == DataType::kBFloat16) want = as_bfloat16_bits(want);
      const std::string diff = compare(outputs[k], want, graph.outputs[k].name);
      if (!diff.empty()) return set.filename().string() + ": " + diff;
    }
  }
  return "";
}

class ConformanceCase : public testing::Test {
 public:
  ConformanceCase(std::string suite, fs::path dir, std::string known_reason, bool is_known)
      : suite_(std::move(suite)), dir_(std::move(dir)), known_reason_(std::move(known_reason)), is_known_(is_known) {}

  void TestBody() override {
    std::string failure;
    try {
      const std::string missing = first_unsupported_op(dir_ / "model.onnx");
      if (!missing.empty()) {
        ++g_tally.skipped[suite_];
        GTEST_SKIP() << "op " << missing << " is outside ptqc's op set";
      }
      Graph graph = load_onnx_model((dir_ / "model.onnx").string());
      optimize(graph, [](const Node& n, int64_t opset, const std::vector<const Tensor*>& in) { return evaluate_node(n, opset, in); });
      Executor executor(std::move(graph), ExecutorOptions{1});
      failure = run_case(dir_, executor);
    } catch (const std::exception& e) {
      failure = e.what();
    }
    if (is_known_) {
      if (failure.empty()) {
        ++g_tally.failed[suite_];
        FAIL() << "listed in known_failures.txt but passes now: remove it from the list";
      }
      ++g_tally.known[suite_];
      std::cout << "[ KNOWN    ] " << failure << " --" << known_reason_ << "\n";
      return;
    }
    if (failure.empty()) {
      ++g_tally.passed[suite_];
    } else {
      ++g_tally.failed[suite_];
      FAIL() << failure;
    }
  }

 private:
  std::string suite_;
  fs::path dir_;
  std::string known_reason_;
  bool is_known_;
};

void register_cases(const fs::path& root) {
  const auto known = read_known_failures();
  for (const char* suite : kSuites) {
    const fs::path suite_dir = root / suite;
    if (!fs::is_directory(suite_dir)) continue;
    std::vector<fs::path> cases;
    for (const auto& e : fs::directory_iterator(suite_dir)) {
      if (fs::exists(e.path() / "model.onnx")) cases.push_back(e.path());
    }
    std::sort(cases.begin(), cases.end());
    std::string suite_name = suite;
    std::replace(suite_name.begin(), suite_name.end(), '-', '_');
    for (const auto& dir : cases) {
      const std::string id = std::string(suite) + "/" + dir.filename().string();
      auto it = known.find(id);
      const bool is_known = it != known.end();
      const std::string reason = is_known ? it->second : "";
      testing::RegisterTest(suite_name.c_str(), dir.filename().string().c_str(), nullptr, nullptr, __FILE__, __LINE__,
                            [=]() -> testing::Test* { return new ConformanceCase(suite, dir, reason, is_known); });
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  const char* env = std::getenv("PTQC_ONNX_TESTDATA");
  const fs::path root = env ? env : PTQC_ONNX_TESTDATA;
  if (!fs::is_directory(root / "node")) {
    std::cerr << "ONNX test data not found in " << root << " (install libonnx-testdata or set PTQC_ONNX_TESTDATA)\n";
    return 1;
  }
  register_cases(root);
  const int rc = RUN_ALL_TESTS();
  for (const char* suite : kSuites) {
    const int p = g_tally.passed[suite], k = g_tally.known[suite], f = g_tally.failed[suite], s = g_tally.skipped[suite];
    if (p + k + f + s == 0) continue;
    std::printf("conformance %-18s %4d passed, %3d known failures, %3d unexpected failures (%.1f%% of %d in the op set), %4d skipped (op outside the set)\n",
                suite, p, k, f, 100.0 * p / std::max(1, p + k + f), p + k + f, s);
  }
  std::printf("shape inference: %d outputs predicted exactly at compile time, %d left to run time\n",
              g_tally.outputs_predicted, g_tally.outputs_deferred);
  return rc;
}
