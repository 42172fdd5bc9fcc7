// Tests of the quantization config parser (src/calib/quant_config.cpp and its helpers):
// the seed's config as users copy it, ptqc's extensions, override resolution, the
// fingerprint, and one test per error path with the JSON path in the message.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "calib/closest_match.h"
#include "ptqc/error.h"
#include "ptqc/quant_config.h"
#include "support/test_models.h"

namespace ptqc {
namespace {

using nlohmann::json;

// The seed's example (cann-quantization-sample's test_quant.json as the brief quotes it),
// verbatim with its comments.
constexpr const char* kSeedConfig = R"(// 示例:量化配置文件 (quant_config.json)
// 参考自 cann-quantization-sample/quant_models/test_quant.json
{
  "dataset_info": {
    "dataset_name": "aigc_calibration_set",
    "dataset_path": "./calibration_bins", // 实际存放.bin文件的目录
    "image_list_file": "aigc_calibration_list.txt",
    "out_file_path": "./calibration_output" // 量化校准结果存放路径
  },
  "model_info": {
    "input_tensor_info": [
      {
        "index": 0,
        "input_name": "input0", // 对应模型输入的名称
        "input_type": "img", // 或 "data"
        "net_format": "NCHW",
        "output_data_type": "FP16", // 原始模型输入类型
        "mean": "0.0,0.0,0.0", // 如果图像需要均值去处理
        "std": "1.0,1.0,1.0" // 如果图像需要标准差处理
      }
    ]
  },
  "quantize_info": {
    "quant_mode": "static_ptq", // 静态训练后量化
    "calibration_batch_num": -1 // -1表示使用所有校准数据
  }
}
)";

/// A config folder with quant.json holding \p text; returns the file's path.
std::string write_config(const std::string& text) {
  const std::string path = testing_support::temp_dir("cfg") + "/quant.json";
  std::ofstream(path) << text;
  return path;
}

/// The smallest valid config (one data input), as JSON to mutate.
json minimal_config() {
  return json::parse(R"({
    "dataset_info": {"dataset_path": "data", "image_list_file": "list.txt"},
    "model_info": {"input_tensor_info": [{"index": 0, "input_name": "x", "input_type": "data"}]},
    "quantize_info": {"quant_mode": "static_ptq", "calibration_batch_num": -1}})");
}

/// Loads \p config and returns the ptqc::Error it must raise.
Error load_error(const std::string& text, std::string* path_out = nullptr) {
  const std::string path = write_config(text);
  if (path_out) *path_out = path;
  try {
    load_quant_config(path);
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error for config:\n" << text;
  return Error(ErrorCode::kInternal, "");
}

/// Checks that loading \p config fails with \p code and a message naming the file and \p key_path.
void expect_config_error(const json& config, ErrorCode code, const std::string& key_path,
                         const std::string& also = "") {
  std::string path;
  const Error e = load_error(config.dump(2), &path);
  EXPECT_EQ(e.code(), code) << e.what();
  EXPECT_NE(e.message().find(path), std::string::npos) << e.what();
  EXPECT_NE(e.message().find(key_path), std::string::npos) << "wanted '" << key_path << "' in: " << e.what();
  if (!also.empty()) {
    EXPECT_NE(e.message().find(also), std::string::npos) << "wanted '" << also << "' in: " << e.what();
  }
}

TEST(QuantConfig, SeedConfigWithCommentsParses) {
  const std::string path = write_config(kSeedConfig);
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  const QuantConfig config = load_quant_config(path);

  EXPECT_EQ(config.config_path, path);
  EXPECT_EQ(config.dataset.dataset_name, "aigc_calibration_set");
  EXPECT_EQ(config.dataset.dataset_path, (dir / "calibration_bins").string());
  EXPECT_EQ(config.dataset.image_list_file, (dir / "aigc_calibration_list.txt").string());
  EXPECT_EQ(config.dataset.out_file_path, (dir / "calibration_output").string());
  ASSERT_EQ(config.inputs.size(), 1u);
  const InputTensorInfo& input = config.inputs[0];
  EXPECT_EQ(input.index, 0);
  EXPECT_EQ(input.input_name, "input0");
  EXPECT_EQ(input.input_type, InputType::kImage);
  EXPECT_EQ(input.net_format, NetFormat::kNCHW);
  EXPECT_EQ(input.output_data_type, DataType::kFloat16);
  EXPECT_EQ(input.mean, (std::vector<float>{0.0f, 0.0f, 0.0f}));
  EXPECT_EQ(input.std, (std::vector<float>{1.0f, 1.0f, 1.0f}));
  EXPECT_EQ(config.calibration_batch_num, -1);

  // No extension keys: AMCT's defaults.
  const LayerQuantConfig& common = config.common;
  EXPECT_EQ(common.activation.algorithm, ActivationAlgorithm::kIfmr);
  EXPECT_DOUBLE_EQ(common.activation.max_percentile, 0.999999);
  EXPECT_DOUBLE_EQ(common.activation.min_percentile, 0.999999);
  EXPECT_DOUBLE_EQ(common.activation.search_start, 0.7);
  EXPECT_DOUBLE_EQ(common.activation.search_end, 1.3);
  EXPECT_DOUBLE_EQ(common.activation.search_step, 0.01);
  EXPECT_EQ(common.activation.num_bins, 4096);
  EXPECT_EQ(common.activation.objective, HistogramObjective::kMse);
  EXPECT_TRUE(common.activation.asymmetric);
  EXPECT_EQ(common.weight_algorithm, WeightAlgorithm::kArq);
  EXPECT_FALSE(common.channel_wise);
  EXPECT_FALSE(common.skip);
  EXPECT_EQ(&config.for_layer("conv1", "Conv"), &config.common);
}

TEST(QuantConfig, BlockCommentsAndAbsolutePaths) {
  json config = minimal_config();
  config["dataset_info"]["dataset_path"] = "/srv/calib/./bins";
  const QuantConfig loaded = load_quant_config(write_config("/* header */\n" + config.dump(2) + "\n/* end */"));
  EXPECT_EQ(loaded.dataset.dataset_path, "/srv/calib/bins");
  EXPECT_TRUE(loaded.dataset.out_file_path.empty());
  EXPECT_EQ(loaded.inputs[0].input_type, InputType::kData);
  EXPECT_EQ(loaded.inputs[0].output_data_type, DataType::kFloat32);
  EXPECT_TRUE(loaded.inputs[0].mean.empty());
}

TEST(QuantConfig, ExtensionsAndArrayMeanAreRead) {
  json config = minimal_config();
  config["model_info"]["input_tensor_info"] = json::parse(R"([
      {"index": 1, "input_name": "b", "input_type": "img", "net_format": "NHWC", "output_data_type": "UINT8",
       "mean": [123.675, 116.28, 103.53], "std": "58.395, 57.12 ,57.375"},
      {"index": 0, "input_name": "a", "input_type": "data", "net_format": "ND", "output_data_type": "INT64"}])");
  config["quantize_info"].update(json::parse(R"({
      "calibration_batch_num": 3, "act_algo": "hfmg", "max_percentile": 0.9999, "min_percentile": 0.5,
      "search_range": [0.5, 2], "search_step": 0.05, "num_of_bins": 8192, "hfmg_objective": "kl",
      "asymmetric": false, "wts_algo": "minmax", "channel_wise": true})"));
  const QuantConfig loaded = load_quant_config(write_config(config.dump()));

  ASSERT_EQ(loaded.inputs.size(), 2u);  // sorted by index
  EXPECT_EQ(loaded.inputs[0].input_name, "a");
  EXPECT_EQ(loaded.inputs[0].net_format, NetFormat::kND);
  EXPECT_EQ(loaded.inputs[0].output_data_type, DataType::kInt64);
  EXPECT_EQ(loaded.inputs[1].input_name, "b");
  EXPECT_EQ(loaded.inputs[1].net_format, NetFormat::kNHWC);
  EXPECT_EQ(loaded.inputs[1].output_data_type, DataType::kUInt8);
  EXPECT_EQ(loaded.inputs[1].mean, (std::vector<float>{123.675f, 116.28f, 103.53f}));
  EXPECT_EQ(loaded.inputs[1].std, (std::vector<float>{58.395f, 57.12f, 57.375f}));
  EXPECT_EQ(loaded.calibration_batch_num, 3);
  const RangeAlgorithmConfig& act = loaded.common.activation;
  EXPECT_EQ(act.algorithm, ActivationAlgorithm::kHfmg);
  EXPECT_DOUBLE_EQ(act.max_percentile, 0.9999);
  EXPECT_DOUBLE_EQ(act.min_percentile, 0.5);
  EXPECT_DOUBLE_EQ(act.search_start, 0.5);
  EXPECT_DOUBLE_EQ(act.search_end, 2.0);
  EXPECT_DOUBLE_EQ(act.search_step, 0.05);
  EXPECT_EQ(act.num_bins, 8192);
  EXPECT_EQ(act.objective, HistogramObjective::kKl);
  EXPECT_FALSE(act.asymmetric);
  EXPECT_EQ(loaded.common.weight_algorithm, WeightAlgorithm::kMinMax);
  EXPECT_TRUE(loaded.common.channel_wise);
}

TEST(QuantConfig, AccuracyTargetAndBiasCorrectionAreRead) {
  json config = minimal_config();
  EXPECT_TRUE(load_quant_config(write_config(config.dump())).bias_correction);  // the default
  EXPECT_FALSE(load_quant_config(write_config(config.dump())).activation_matmul);  // the default
  EXPECT_FALSE(load_quant_config(write_config(config.dump())).cross_layer_equalization);
  config["quantize_info"]["cross_layer_equalization"] = true;
  EXPECT_TRUE(load_quant_config(write_config(config.dump())).cross_layer_equalization);
  EXPECT_FALSE(load_quant_config(write_config(config.dump())).accuracy_target.has_value());
  config["quantize_info"]["bias_correction"] = false;
  config["quantize_info"]["activation_matmul"] = true;
  config["quantize_info"]["accuracy_target"] = {{"metric", "top1_agreement"}, {"value", 0.99}, {"output", "logits"},
                                                {"eval_list_file", "held_out.txt"}};
  const std::string path = write_config(config.dump());
  const QuantConfig loaded = load_quant_config(path);
  EXPECT_FALSE(loaded.bias_correction);
  EXPECT_TRUE(loaded.activation_matmul);
  ASSERT_TRUE(loaded.accuracy_target.has_value());
  EXPECT_EQ(loaded.accuracy_target->metric, AccuracyMetric::kTop1Agreement);
  EXPECT_DOUBLE_EQ(loaded.accuracy_target->value, 0.99);
  EXPECT_EQ(loaded.accuracy_target->output, "logits");
  EXPECT_EQ(loaded.accuracy_target->eval_list_file, (std::filesystem::path(path).parent_path() / "held_out.txt").string());
  EXPECT_EQ(loaded.accuracy_target->key_path, "quantize_info.accuracy_target");
}

TEST(QuantConfig, ExactInputRangesCoverUniformlyNormalizedImagesOnly) {
  json config = minimal_config();
  config["model_info"]["input_tensor_info"] = json::parse(R"([
    {"index": 0, "input_name": "img", "input_type": "img", "mean": "16,16,16", "std": "58,58,58"},
    {"index": 1, "input_name": "imagenet", "input_type": "img", "mean": [123.675, 116.28, 103.53], "std": [58.395, 57.12, 57.375]},
    {"index": 2, "input_name": "raw", "input_type": "data"}])");
  const auto ranges = load_quant_config(write_config(config.dump())).exact_input_ranges();
  ASSERT_EQ(ranges.size(), 1u);
  EXPECT_FLOAT_EQ(ranges.at("img").min, -16.0f / 58.0f);
  EXPECT_FLOAT_EQ(ranges.at("img").max, 239.0f / 58.0f);
  config["quantize_info"]["exact_input_quantization"] = false;
  EXPECT_TRUE(load_quant_config(write_config(config.dump())).exact_input_ranges().empty());
}

TEST(QuantConfig, QuantizeInfoIsOptional) {
  json config = minimal_config();
  config.erase("quantize_info");
  const QuantConfig loaded = load_quant_config(write_config(config.dump()));
  EXPECT_EQ(loaded.calibration_batch_num, -1);
  EXPECT_EQ(loaded.common.activation.algorithm, ActivationAlgorithm::kIfmr);
}

TEST(QuantConfig, OverridePriorityIsLayerNameThenOpTypeThenCommon) {
  json config = minimal_config();
  config["quantize_info"].update(json::parse(R"({
      "act_algo": "minmax",
      "override_layer_configs": {
        "OpType::Conv": {"act_algo": "hfmg", "num_of_bins": 2048},
        "conv1": {"act_algo": "percentile", "max_percentile": 0.99},
        "block/fc.2": {"channel_wise": true}}})"));
  const QuantConfig loaded = load_quant_config(write_config(config.dump()));

  const LayerQuantConfig& conv1 = loaded.for_layer("conv1", "Conv");  // name over type over common
  EXPECT_EQ(conv1.activation.algorithm, ActivationAlgorithm::kPercentile);
  EXPECT_DOUBLE_EQ(conv1.activation.max_percentile, 0.99);
  EXPECT_EQ(conv1.activation.num_bins, 2048);  // from the op-type override
  const LayerQuantConfig& conv2 = loaded.for_layer("conv2", "Conv");
  EXPECT_EQ(conv2.activation.algorithm, ActivationAlgorithm::kHfmg);
  EXPECT_EQ(conv2.activation.num_bins, 2048);
  EXPECT_DOUBLE_EQ(conv2.activation.max_percentile, 0.999999);
  const LayerQuantConfig& fc = loaded.for_layer("block/fc.2", "Gemm");
  EXPECT_EQ(fc.activation.algorithm, ActivationAlgorithm::kMinMax);
  EXPECT_TRUE(fc.channel_wise);
  EXPECT_EQ(&loaded.for_layer("fc", "Gemm"), &loaded.common);
  // A named layer of another type gets the name override on top of common only.
  EXPECT_EQ(loaded.for_layer("conv1", "MatMul").activation.num_bins, 4096);
}

TEST(QuantConfig, SkipListsResolveWithOverrides) {
  json config = minimal_config();
  config["quantize_info"].update(json::parse(R"({
      "skip_layers": ["fc"], "skip_layer_types": ["Conv", "OpType::MatMul"],
      "override_layer_configs": {"conv1": {"skip": false}, "OpType::Gemm": {"skip": true}}})"));
  const QuantConfig loaded = load_quant_config(write_config(config.dump()));
  EXPECT_TRUE(loaded.for_layer("conv2", "Conv").skip);
  EXPECT_FALSE(loaded.for_layer("conv1", "Conv").skip);  // the layer name wins over its type
  EXPECT_TRUE(loaded.for_layer("fc", "Conv").skip);
  EXPECT_TRUE(loaded.for_layer("mm", "MatMul").skip);
  EXPECT_TRUE(loaded.for_layer("gemm", "Gemm").skip);
  EXPECT_FALSE(loaded.for_layer("pool", "AveragePool").skip);
}

TEST(QuantConfig, SkipListedLayerOverriddenWithSkipFalseIsError) {
  json config = minimal_config();
  config["quantize_info"]["skip_layers"] = {"conv1"};
  config["quantize_info"]["override_layer_configs"] = {{"conv1", {{"skip", false}}}};
  expect_config_error(config, ErrorCode::kInvalidValue, "quantize_info.override_layer_configs.conv1.skip",
                      "skip_layers");
}

TEST(QuantConfig, FingerprintCoversCalibrationSettingsOnly) {
  const json base = minimal_config();
  const std::string dir = testing_support::temp_dir("cfg");
  auto fingerprint_of = [&](const json& config, const std::string& prefix = "") {
    const std::string path = dir + "/quant.json";
    std::ofstream(path) << prefix << config.dump();
    return load_quant_config(path).fingerprint();
  };
  const std::string reference = fingerprint_of(base);
  EXPECT_EQ(reference, fingerprint_of(base));
  EXPECT_NE(reference.find("\"search_step\":0.01"), std::string::npos) << reference;

  json same = base;  // spelled differently, same settings
  same["quantize_info"]["act_algo"] = "ifmr";
  same["quantize_info"]["search_range"] = {0.7, 1.3};
  same["dataset_info"]["dataset_name"] = "another name";
  same["dataset_info"]["out_file_path"] = "elsewhere";
  same["dataset_info"]["dataset_path"] = "./data/";
  same["quantize_info"]["bias_correction"] = false;  // changes biases, not ranges
  EXPECT_EQ(reference, fingerprint_of(same, "// a comment\n"));

  for (const auto& [key, value] : {std::pair<std::string, json>{"search_step", 0.02},
                                   {"calibration_batch_num", 4},
                                   {"skip_layers", json::array({"conv1"})},
                                   {"override_layer_configs", {{"OpType::Conv", {{"channel_wise", true}}}}},
                                   {"accuracy_target", {{"metric", "cosine"}, {"value", 0.99}}},
                                   {"exact_input_quantization", false},
                                   {"activation_matmul", true},
                                   {"cross_layer_equalization", true}}) {
    json changed = base;
    changed["quantize_info"][key] = value;
    EXPECT_NE(reference, fingerprint_of(changed)) << key;
  }
  json other_input = base;
  other_input["model_info"]["input_tensor_info"][0]["output_data_type"] = "FP16";
  EXPECT_NE(reference, fingerprint_of(other_input));
}

TEST(QuantConfig, CheckLayerNamesRejectsUnknownNodes) {
  Graph graph;
  graph.name = "net";
  graph.nodes.push_back(Node{"conv1", "Conv", "", {"x", "w"}, {"y"}, {}});
  graph.nodes.push_back(Node{"fc", "Gemm", "", {"y", "w2"}, {"z"}, {}});
  json config = minimal_config();
  config["quantize_info"]["skip_layer_types"] = {"Relu"};  // absent op types only warn
  config["quantize_info"]["skip_layers"] = {"fc"};
  const QuantConfig good = load_quant_config(write_config(config.dump()));
  EXPECT_NO_THROW(good.check_layer_names(graph));

  config["quantize_info"]["skip_layers"] = {"fc", "conv_1"};
  const QuantConfig bad = load_quant_config(write_config(config.dump()));
  try {
    bad.check_layer_names(graph);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidValue);
    EXPECT_NE(e.message().find("quantize_info.skip_layers[1]"), std::string::npos) << e.what();
    EXPECT_NE(e.message().find("did you mean \"conv1\"?"), std::string::npos) << e.what();
  }
}

// --- error paths -----------------------------------------------------------------------

TEST(QuantConfigErrors, UnreadableFile) {
  try {
    load_quant_config(testing_support::temp_dir("cfg") + "/missing.json");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kFileIo);
    EXPECT_NE(e.message().find("missing.json"), std::string::npos);
  }
}

TEST(QuantConfigErrors, MalformedJsonNamesLineAndColumn) {
  std::string path;
  const Error e =
      load_error("{\n  \"dataset_info\": {\n    \"dataset_path\": \"data\"\n    \"image_list_file\": \"l\"}}", &path);
  EXPECT_EQ(e.code(), ErrorCode::kInvalidValue);
  EXPECT_NE(e.message().find(path + ": not valid JSON"), std::string::npos) << e.what();
  EXPECT_NE(e.message().find("parse error at line 4, column"), std::string::npos) << e.what();
  EXPECT_EQ(e.message().find("json.exception"), std::string::npos) << e.what();
}

TEST(QuantConfigErrors, DuplicateKeyIsNamed) {
  const Error e = load_error(R"({"dataset_info": {"dataset_path": "a", "image_list_file": "l"},
      "model_info": {"input_tensor_info": [{"input_name": "x", "input_type": "data", "std": "1", "std": "2"}]}})");
  EXPECT_EQ(e.code(), ErrorCode::kInvalidValue);
  EXPECT_NE(e.message().find("duplicate key \"std\" in model_info.input_tensor_info[0]"), std::string::npos)
      << e.what();
}

TEST(QuantConfigErrors, UnknownKeySuggestsClosest) {
  json config = minimal_config();
  config["quantize_info"]["act_alg"] = "ifmr";
  expect_config_error(config, ErrorCode::kInvalidValue,
                      "unknown key \"act_alg\" in quantize_info (did you mean \"act_algo\"?)");

  config = minimal_config();
  config["model_info"]["input_tensor_info"][0]["input_nam"] = "x";
  expect_config_error(config, ErrorCode::kInvalidValue,
                      "unknown key \"input_nam\" in model_info.input_tensor_info[0] (did you mean \"input_name\"?)");

  config = minimal_config();
  config["calibration"] = 1;  // nothing close: the valid keys are listed
  expect_config_error(config, ErrorCode::kInvalidValue, "unknown key \"calibration\" at the top level",
                      "valid keys: dataset_info, model_info, quantize_info");

  config = minimal_config();
  config["quantize_info"]["override_layer_configs"] = {{"conv1", {{"wts_alg", "minmax"}}}};
  expect_config_error(config, ErrorCode::kInvalidValue,
                      "unknown key \"wts_alg\" in quantize_info.override_layer_configs.conv1", "\"wts_algo\"");
}

TEST(QuantConfigErrors, MissingRequiredKeysAreE10007) {
  const std::vector<std::pair<json::json_pointer, std::string>> cases = {
      {json::json_pointer("/dataset_info/dataset_path"), "dataset_info.dataset_path"},
      {json::json_pointer("/dataset_info/image_list_file"), "dataset_info.image_list_file"},
      {json::json_pointer("/model_info/input_tensor_info"), "model_info.input_tensor_info"},
      {json::json_pointer("/model_info/input_tensor_info/0/input_name"), "model_info.input_tensor_info[0].input_name"},
      {json::json_pointer("/model_info/input_tensor_info/0/input_type"), "model_info.input_tensor_info[0].input_type"},
      {json::json_pointer("/dataset_info"), "dataset_info"},
  };
  for (const auto& [pointer, key_path] : cases) {
    json config = minimal_config();
    config[pointer.parent_pointer()].erase(pointer.back());
    expect_config_error(config, ErrorCode::kMissingFlag, "missing required key " + key_path);
  }
}

TEST(QuantConfigErrors, BadValuesNameTheirJsonPath) {
  struct Case {
    std::string pointer;  // where to put the value
    json value;
    std::string key_path;
    std::string detail;
  };
  const std::vector<Case> cases = {
      {"/quantize_info/search_range", {1.3, 0.7}, "quantize_info.search_range[1]", "> search_range[0] (1.3)"},
      {"/quantize_info/search_range", {0.0, 1.0}, "quantize_info.search_range[0]", "a number > 0"},
      {"/quantize_info/search_range", {0.7}, "quantize_info.search_range:", "an array of 2 elements"},
      {"/quantize_info/search_range", {0.7, "1.3"}, "quantize_info.search_range[1]", "a number, found \"1.3\""},
      {"/quantize_info/search_step", 0, "quantize_info.search_step", "a number > 0"},
      {"/quantize_info/num_of_bins", 512, "quantize_info.num_of_bins", "[1024, 8192], found 512"},
      {"/quantize_info/num_of_bins", 4096.5, "quantize_info.num_of_bins", "an integer"},
      {"/quantize_info/max_percentile", 0.4, "quantize_info.max_percentile", "[0.5, 1]"},
      {"/quantize_info/min_percentile", 1.5, "quantize_info.min_percentile", "[0.5, 1]"},
      {"/quantize_info/act_algo", "ifrm", "quantize_info.act_algo", "(did you mean \"ifmr\"?)"},
      {"/quantize_info/hfmg_objective", "l2", "quantize_info.hfmg_objective", "one of mse, kl"},
      {"/quantize_info/wts_algo", "arq", "quantize_info.wts_algo", "one of arq_quantize, minmax"},
      {"/quantize_info/asymmetric", "yes", "quantize_info.asymmetric", "true or false"},
      {"/quantize_info/channel_wise", 1, "quantize_info.channel_wise", "true or false"},
      {"/quantize_info/calibration_batch_num", 0, "quantize_info.calibration_batch_num", "-1 for all"},
      {"/quantize_info/bias_correction", "on", "quantize_info.bias_correction", "true or false"},
      {"/quantize_info/activation_matmul", 1, "quantize_info.activation_matmul", "true or false"},
      {"/quantize_info/cross_layer_equalization", "yes", "quantize_info.cross_layer_equalization", "true or false"},
      {"/quantize_info/accuracy_target", {{"metric", "cosin"}, {"value", 0.99}}, "quantize_info.accuracy_target.metric",
       "(did you mean \"cosine\"?)"},
      {"/quantize_info/accuracy_target", {{"metric", "cosine"}, {"value", 1.5}}, "quantize_info.accuracy_target.value",
       "a number in (0, 1]"},
      {"/quantize_info/accuracy_target", {{"metric", "sqnr_db"}, {"value", -3}}, "quantize_info.accuracy_target.value",
       "a number of dB in (0, 200]"},
      {"/quantize_info/accuracy_target", {{"metric", "psnr_db"}, {"value", 30}, {"ouput", "y"}}, "quantize_info.accuracy_target",
       "(did you mean \"output\"?)"},
      {"/quantize_info/accuracy_target", {{"metric", "cosine"}, {"value", 0.99}, {"output", ""}},
       "quantize_info.accuracy_target.output", "the name of a model output"},
      {"/quantize_info/quant_mode", "qat", "quantize_info.quant_mode", "one of static_ptq"},
      {"/quantize_info/skip_layers", "conv1", "quantize_info.skip_layers", "an array"},
      {"/quantize_info/skip_layer_types", {""}, "quantize_info.skip_layer_types[0]", "a non-empty name"},
      {"/quantize_info/override_layer_configs",
       {{"layer/1", {{"num_of_bins", 1}}}},
       "quantize_info.override_layer_configs[\"layer/1\"].num_of_bins",
       "[1024, 8192]"},
      {"/quantize_info/override_layer_configs",
       {{"OpType::", {{"skip", true}}}},
       "quantize_info.override_layer_configs[\"OpType::\"]",
       "OpType::<op type>"},
      {"/model_info/input_tensor_info/0/input_type", "image", "model_info.input_tensor_info[0].input_type",
       "(did you mean \"img\"?)"},
      {"/model_info/input_tensor_info/0/net_format", "nchw", "model_info.input_tensor_info[0].net_format",
       "(did you mean \"NCHW\"?)"},
      {"/model_info/input_tensor_info/0",
       {{"input_name", "x"}, {"input_type", "img"}, {"net_format", "ND"}},
       "model_info.input_tensor_info[0].net_format",
       "NCHW or NHWC"},
      {"/model_info/input_tensor_info/0/output_data_type", "FP64", "model_info.input_tensor_info[0].output_data_type",
       "FP32, FP16, INT8, UINT8, INT32, INT64"},
      {"/model_info/input_tensor_info/0/mean", "0.0,abc,0.0", "model_info.input_tensor_info[0].mean",
       "(\"abc\" is not a number)"},
      {"/model_info/input_tensor_info/0/mean", "1.0,2.0,3.0", "model_info.input_tensor_info[0].mean",
       "apply to \"img\" inputs"},
      {"/model_info/input_tensor_info/0/std", "1.0,0.0,1.0", "model_info.input_tensor_info[0].std", "non-zero"},
      {"/model_info/input_tensor_info/0/std", json::array(), "model_info.input_tensor_info[0].std", "at least one"},
      {"/model_info/input_tensor_info/0/index", 5, "model_info.input_tensor_info[0].index", "[0, 0]"},
      {"/model_info/input_tensor_info/0/input_name", "", "model_info.input_tensor_info[0].input_name", "model input"},
      {"/model_info/input_tensor_info", json::array(), "model_info.input_tensor_info", "at least one"},
      {"/dataset_info/dataset_path", "", "dataset_info.dataset_path", "a non-empty path"},
      {"/dataset_info/image_list_file", 3, "dataset_info.image_list_file", "a string, found 3"},
      {"/model_info", json::array(), "model_info:", "an object"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.key_path);
    json config = minimal_config();
    config[json::json_pointer(c.pointer)] = c.value;
    expect_config_error(config, ErrorCode::kInvalidValue, c.key_path, c.detail);
  }
}

TEST(QuantConfigErrors, DuplicateInputNameOrIndex) {
  json config = minimal_config();
  config["model_info"]["input_tensor_info"].push_back({{"index", 1}, {"input_name", "x"}, {"input_type", "data"}});
  expect_config_error(config, ErrorCode::kInvalidValue, "model_info.input_tensor_info[1].input_name",
                      "not used by another entry");
  config["model_info"]["input_tensor_info"][1] = {{"index", 0}, {"input_name", "y"}, {"input_type", "data"}};
  expect_config_error(config, ErrorCode::kInvalidValue, "model_info.input_tensor_info[1].index",
                      "not used by another entry");
}

TEST(ClosestMatch, EditDistanceAndThreshold) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("NCHW", "nchw"), 0u);
  EXPECT_EQ(closest_match("act_alg", {"act_algo", "wts_algo"}), "act_algo");
  EXPECT_EQ(closest_match("banana", {"act_algo", "wts_algo"}), "");
  EXPECT_EQ(did_you_mean("skip_layer", {"skip_layers", "skip_layer_types"}), " (did you mean \"skip_layers\"?)");
}

TEST(QuantConfigErrors, NumberOutOfRangeNamesItsKey) {
  std::string text = minimal_config().dump();
  text.replace(text.find("-1"), 2, "1e999");  // calibration_batch_num
  std::string path;
  const Error e = load_error(text, &path);
  EXPECT_EQ(e.code(), ErrorCode::kInvalidValue) << e.what();
  EXPECT_NE(e.message().find("quantize_info.calibration_batch_num"), std::string::npos) << e.what();
  EXPECT_NE(e.message().find("1e999"), std::string::npos) << e.what();
}

TEST(QuantConfigErrors, DeepNestingIsRefusedWhileParsing) {
  // 10^5 levels: refused at the depth limit, long before the document would be built.
  const Error e = load_error(std::string(100000, '[') + std::string(100000, ']'));
  EXPECT_EQ(e.code(), ErrorCode::kInvalidValue);
  EXPECT_NE(e.message().find("nesting deeper than"), std::string::npos) << e.message().substr(0, 200);
}

TEST(QuantConfigErrors, AHugeUnknownKeyGetsAShortMessage) {
  json config = minimal_config();
  config["quantize_info"][std::string(10'000'000, 'k')] = 1;  // 10 MB: no suggestion search over it
  const Error e = load_error(config.dump());
  EXPECT_EQ(e.code(), ErrorCode::kInvalidValue);
  EXPECT_LT(e.message().size(), 2000u);
  EXPECT_NE(e.message().find("kkkkkkkk..."), std::string::npos) << e.message().substr(0, 300);
  EXPECT_EQ(closest_match(std::string(1'000'000, 'a'), {"act_algo"}), "");
}

TEST(QuantConfigErrors, TheConfigMustBeARegularFile) {
  for (const std::string path : {testing_support::temp_dir("cfgdir"), std::string("/dev/zero")}) {
    try {
      load_quant_config(path);
      FAIL() << path;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kFileIo) << e.what();
      EXPECT_NE(e.message().find("not a regular file"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace ptqc
