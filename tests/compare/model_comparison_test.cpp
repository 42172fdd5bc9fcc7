// compare_models end to end on a quantized paddle_style model: per-output metrics, cumulative
// per-layer error, isolated sensitivity from the .om and from the record, and error paths.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <random>

#include "compare/layer_sensitivity.h"
#include "compare/quantized_model_fixture.h"
#include "ptqc/compare.h"
#include "ptqc/error.h"
#include "ptqc/executor.h"
#include "ptqc/om.h"
#include "ptqc/runnable_model.h"
#include "ptqc/sample_files.h"

namespace fs = std::filesystem;

namespace ptqc {
namespace {

using testing_support::quantized_paddle;

ModelCompareRequest request_for(const testing_support::QuantizedPaddle& m) {
  ModelCompareRequest r;
  r.model = m.model;
  r.om = m.om;
  r.input_list = m.test_list;
  return r;
}

const LayerComparison& layer_named(const CompareReport& r, const std::string& name) {
  for (const auto& l : r.layers) {
    if (l.name == name) return l;
  }
  throw std::runtime_error("no layer " + name);
}

void expect_error(const ModelCompareRequest& request, ErrorCode code, const std::string& fragment) {
  try {
    compare_models(request);
    ADD_FAILURE() << "no error (expected " << error_code_string(code) << ")";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_NE(e.message().find(fragment), std::string::npos) << e.message();
  }
}

TEST(CompareModels, MeasuresOutputsLayersAndActivations) {
  const auto& m = quantized_paddle();
  const CompareReport r = compare_models(request_for(m));
  EXPECT_EQ(r.samples, 4);
  EXPECT_EQ(r.layer_samples, 4);
  ASSERT_EQ(r.outputs.size(), 1u);
  EXPECT_EQ(r.outputs[0].name, "y");
  ASSERT_EQ(r.outputs[0].samples.size(), 4u);
  const OutputSummary s = summarize(r.outputs[0]);
  EXPECT_GT(s.cosine.worst, 0.999);
  EXPECT_GT(s.sqnr_db.worst, 25.0);
  EXPECT_LT(s.sqnr_db.mean, 80.0);  // INT8 is not exact
  EXPECT_FALSE(s.top1.has_value());  // [1, 4, 8, 8] is not class-shaped

  // conv1 -> Dequant (its output bn1 exists in both graphs); conv2 -> Requant -> pool, so
  // conv2's output c2 exists in the INT8 graph only requantized, and is measured there.
  ASSERT_EQ(r.layers.size(), 3u);
  EXPECT_EQ(r.layers[0].name, "conv1");
  EXPECT_EQ(r.layers[0].int8_op, "QConv");
  EXPECT_EQ(r.layers[0].compared_value, "bn1");
  EXPECT_FALSE(r.layers[0].compared_downstream);
  const LayerComparison& conv2 = layer_named(r, "conv2");
  EXPECT_EQ(conv2.output, "c2");
  EXPECT_EQ(conv2.activation, "act");
  EXPECT_EQ(conv2.compared_value, "c2");
  EXPECT_FALSE(conv2.compared_downstream);
  ASSERT_TRUE(conv2.cumulative.has_value());
  EXPECT_TRUE(conv2.cumulative->from_requantized);
  EXPECT_FALSE(layer_named(r, "pool").cumulative->from_requantized);
  EXPECT_NE(conv2.cumulative->sqnr_db, layer_named(r, "pool").cumulative->sqnr_db);  // each at its own output
  EXPECT_EQ(layer_named(r, "pool").int8_op, "QAveragePool");
  for (const auto& l : r.layers) {
    ASSERT_TRUE(l.params.known) << l.name << ": " << l.params.note;  // conv2's output scale comes from pool's Dequant
    EXPECT_EQ(l.params.source, "om");
    ASSERT_TRUE(l.cumulative.has_value()) << l.name;
    ASSERT_TRUE(l.isolated_sqnr_db.has_value()) << l.name << ": " << l.isolated_note;
    EXPECT_GT(*l.isolated_sqnr_db, 25.0) << l.name;
    EXPECT_TRUE(std::isfinite(*l.isolated_sqnr_db)) << l.name;
  }
  // One layer alone loses less than all of them together (at the model output).
  EXPECT_GT(*layer_named(r, "pool").isolated_sqnr_db, summarize(r.outputs[0]).sqnr_db.mean - 0.5);
  EXPECT_EQ(layer_named(r, "conv1").params.scale_w.size(), 8u);

  std::vector<std::string> values;
  for (const auto& v : r.values) values.push_back(v.value);
  EXPECT_NE(std::find(values.begin(), values.end(), "bn1"), values.end());
  EXPECT_NE(std::find(values.begin(), values.end(), "y"), values.end());
  EXPECT_NE(std::find(values.begin(), values.end(), "c2"), values.end());

  ASSERT_EQ(r.histograms.size(), 3u);
  EXPECT_EQ(r.histograms[0].value, "x");  // a graph input
  uint64_t total = 0;
  for (uint64_t c : r.histograms[0].counts) total += c;
  EXPECT_EQ(total, 4u * 3 * 16 * 16);
  for (const auto& h : r.histograms) {
    ASSERT_EQ(h.clip_ranges.size(), 1u) << h.value;
    EXPECT_LE(h.lo, h.min) << h.value;
    EXPECT_GE(h.hi, h.max) << h.value;
    EXPECT_LT(h.clip_ranges[0].first, h.clip_ranges[0].second);
  }
  // x is in [0, 1): calibrated range [0, ~1] with offset -128.
  EXPECT_NEAR(r.histograms[0].clip_ranges[0].first, 0.0, 1e-6);
}

TEST(CompareModels, RecordParametersMatchTheOnesReadFromTheOm) {
  const auto& m = quantized_paddle();
  ModelCompareRequest request = request_for(m);
  request.max_layer_samples = 2;
  const CompareReport from_om = compare_models(request);
  request.record = m.record_dir;
  const CompareReport from_record = compare_models(request);
  EXPECT_EQ(from_record.params_source, "record");
  ASSERT_EQ(from_om.layers.size(), from_record.layers.size());
  for (size_t i = 0; i < from_om.layers.size(); ++i) {
    const auto &a = from_om.layers[i], &b = from_record.layers[i];
    EXPECT_EQ(b.params.source, "record");
    EXPECT_EQ(a.params.offset_d, b.params.offset_d);
    EXPECT_NEAR(a.params.scale_d, b.params.scale_d, 1e-6 * b.params.scale_d) << a.name;
    ASSERT_TRUE(a.isolated_sqnr_db && b.isolated_sqnr_db);
    EXPECT_NEAR(*a.isolated_sqnr_db, *b.isolated_sqnr_db, 0.01) << a.name;
  }
}

TEST(CompareModels, IsolatedLayerReproducesTheInt8Kernel) {
  // With FP32 activations, the INT8 graph's conv1 output (bn1) and the FP32 graph with only conv1
  // fake-quantized (the .om's weights and bias in float) differ only by float rounding.
  const auto& m = quantized_paddle();
  ModelCompareRequest request = request_for(m);
  request.max_layer_samples = 1;
  const CompareReport r = compare_models(request);
  const LayerComparison& conv1 = layer_named(r, "conv1");
  const Graph fp32 = load_runnable_model(m.model, "", ExecutorOptions{1}).graph();
  const OmModel om = read_om(m.om);
  const Node& f = *std::find_if(fp32.nodes.begin(), fp32.nodes.end(), [](const Node& n) { return n.name == "conv1"; });
  const Node& q = *std::find_if(om.graph.nodes.begin(), om.graph.nodes.end(), [](const Node& n) { return n.name == "conv1"; });
  std::string note;
  const std::optional<SimulatedLayer> sim = simulated_layer(conv1, fp32, om.graph, note);
  ASSERT_TRUE(sim) << note;
  ASSERT_FALSE(sim->bias.empty());

  Tensor simulated, int8;
  Executor isolated(simulate_layers(fp32, {*sim}));
  isolated.set_observer([&](const Node&, const std::string& v, const Tensor& t) { if (v == "bn1") simulated = t.clone(); });
  Executor quantized(om.graph);
  quantized.set_observer([&](const Node&, const std::string& v, const Tensor& t) { if (v == "bn1") int8 = t.clone(); });
  const Tensor x = read_input_file(m.dir + "/test/t0.bin", fp32.inputs[0]);
  isolated.run({x});
  quantized.run({x});
  ASSERT_EQ(simulated.shape(), int8.shape());
  const auto a = simulated.to_float_vector(), b = int8.to_float_vector();
  float worst = 0, peak = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    worst = std::max(worst, std::fabs(a[i] - b[i]));
    peak = std::max(peak, std::fabs(a[i]));
  }
  EXPECT_LE(worst, 1e-5f * peak) << "peak " << peak;
}

TEST(CompareModels, EqualizedOmIsComparedWithTheFp32ModelEqualizedAlike) {
  // The recognizer's four convs form three equalized pairs: their .om values are per-channel
  // rescaled FP32 values, so compare must rescale the FP32 model the same way to match them.
  const std::string dir = testing_support::temp_dir("cmp_equalized");
  const std::string models = std::string(PTQC_SOURCE_DIR) + "/tests/models/text_recognizer";
  std::ofstream(dir + "/quant.json") << R"({"dataset_info": {"dataset_path": ")" << models << R"(/calib",
      "image_list_file": ")" << models << R"(/calib.txt"},
    "model_info": {"input_tensor_info": [{"input_name": "image", "input_type": "img", "mean": "0", "std": "255"}]},
    "quantize_info": {"cross_layer_equalization": true}})";
  const testing_support::ToolResult r =
      testing_support::run_tool("ptqc", "--model=" + models + "/model.onnx --framework=5 --output=" + dir +
                                            "/r --soc_version=Ascend310P3 --input_shape=image:1,1,32,128"
                                            " --enable_quantization=true --quantization_config=" + dir + "/quant.json");
  ASSERT_EQ(r.status, 0) << r.output;
  const OmModel om = read_om(dir + "/r.om");
  EXPECT_EQ(om.meta.equalized_layers, (std::vector<std::string>{"/backbone/backbone.0/Conv", "/backbone/backbone.12/Conv",
                                                                "/backbone/backbone.4/Conv", "/backbone/backbone.8/Conv"}));
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  std::ofstream list(dir + "/list.txt");
  for (int i = 0; i < 2; ++i) {
    std::vector<float> v(32 * 128);
    for (float& x : v) x = u(rng);
    std::ofstream(dir + "/s" + std::to_string(i) + ".bin", std::ios::binary)
        .write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size() * 4));
    list << "s" << i << ".bin\n";
  }
  list.close();
  ModelCompareRequest request;
  request.model = models + "/model.onnx";
  request.om = dir + "/r.om";
  request.input_list = dir + "/list.txt";
  request.max_layer_samples = 2;
  const CompareReport report = compare_models(request);
  for (const char* conv : {"/backbone/backbone.0/Conv", "/backbone/backbone.4/Conv", "/backbone/backbone.8/Conv"}) {
    const LayerComparison& layer = layer_named(report, conv);
    ASSERT_TRUE(layer.cumulative && layer.isolated_sqnr_db) << conv;
    // On these random inputs: 16-27 dB; against the unequalized FP32 model 0.7-4.5 dB.
    EXPECT_GT(layer.cumulative->sqnr_db, 12.0) << conv;
    EXPECT_GT(*layer.isolated_sqnr_db, 12.0) << conv;
  }
}

TEST(CompareModels, ZeroLayerSamplesSkipsThePerLayerPart) {
  ModelCompareRequest request = request_for(quantized_paddle());
  request.max_layer_samples = 0;
  const CompareReport r = compare_models(request);
  EXPECT_EQ(r.layer_samples, 0);
  EXPECT_EQ(r.outputs[0].samples.size(), 4u);
  EXPECT_TRUE(r.values.empty());
  EXPECT_TRUE(r.histograms.empty());
  for (const auto& l : r.layers) EXPECT_FALSE(l.cumulative || l.isolated_sqnr_db);
}

/// request_for(quantized_paddle()) with one path replaced.
ModelCompareRequest with(std::string ModelCompareRequest::*field, const std::string& value) {
  ModelCompareRequest r = request_for(quantized_paddle());
  r.*field = value;
  return r;
}

/// DIR/NAME: the paddle record with \p edit applied to its "layers" array.
std::string edited_record(const std::string& dir, const std::string& name, const std::function<void(nlohmann::json&)>& edit) {
  nlohmann::json record = nlohmann::json::parse(std::ifstream(quantized_paddle().record_dir + "/quant_record.json"));
  edit(record["layers"]);
  std::ofstream(dir + "/" + name) << record.dump();
  return dir + "/" + name;
}

TEST(CompareModels, BadInputsAreCodedErrors) {
  const std::string dir = testing_support::temp_dir("cmp_errors");
  using R = ModelCompareRequest;
  expect_error(with(&R::om, dir + "/none.om"), ErrorCode::kFileIo, "none.om");
  expect_error(with(&R::input_list, dir + "/none.txt"), ErrorCode::kFileIo, "none.txt");
  std::ofstream(dir + "/empty.txt") << "\n\n";
  expect_error(with(&R::input_list, dir + "/empty.txt"), ErrorCode::kEmptyValue, "no samples");
  std::ofstream(dir + "/two.txt") << "a.bin b.bin\n";
  expect_error(with(&R::input_list, dir + "/two.txt"), ErrorCode::kInvalidValue, "two.txt:1");

  // A .om of another model (tf2onnx_style, input "input:0"): inputs do not match.
  const auto other = testing_support::run_tool(
      "ptqc", "--model=" + std::string(PTQC_SOURCE_DIR) + "/tests/models/tf2onnx_style/model.onnx --framework=5 --output=" +
                  dir + "/other --soc_version=Ascend310P3");
  ASSERT_EQ(other.status, 0) << other.output;
  expect_error(with(&R::om, dir + "/other.om"), ErrorCode::kInvalidValue, "[--om]");

  const std::string shifted = edited_record(dir, "shifted.json", [](nlohmann::json& layers) {
    for (auto& l : layers) {
      if (l["layer"] == "conv2") l["offset_d"] = l["offset_d"].get<int>() + 1;
    }
  });
  expect_error(with(&R::record, shifted), ErrorCode::kInvalidValue, "layer 'conv2' has offset_d");
  const std::string without_pool = edited_record(dir, "without_pool.json", [](nlohmann::json& layers) {
    layers.erase(std::remove_if(layers.begin(), layers.end(), [](const nlohmann::json& l) { return l["layer"] == "pool"; }),
                 layers.end());
  });
  expect_error(with(&R::record, without_pool), ErrorCode::kInvalidValue, "layer 'pool' is not in");
  const std::string rescaled = edited_record(dir, "rescaled.json", [](nlohmann::json& layers) {
    for (auto& l : layers) l["scale_d"] = l["scale_d"].get<float>() * 1.01f;
  });
  expect_error(with(&R::record, rescaled), ErrorCode::kInvalidValue, "another scale_d");
  const std::string zero_scale = edited_record(dir, "zero_scale.json", [](nlohmann::json& layers) { layers[0]["scale_d"] = 0.0; });
  expect_error(with(&R::record, zero_scale), ErrorCode::kInvalidData, "needs scale_d > 0");
  std::ofstream(dir + "/garbage.json") << "{\"layers\": 3}";
  expect_error(with(&R::record, dir + "/garbage.json"), ErrorCode::kInvalidData, "garbage.json");
  expect_error(with(&R::record, dir + "/none.json"), ErrorCode::kFileIo, "none.json");
}

}  // namespace
}  // namespace ptqc
