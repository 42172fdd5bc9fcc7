// The `ptqc` compiler run as a user runs it: ATC's lines, coded errors, atomic and
// deterministic outputs, calibration records, and the .om run by ptqc-run.

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "support/test_models.h"

namespace fs = std::filesystem;

namespace {

ptqc::testing_support::ToolResult run(const std::string& tool, const std::string& args) {
  return ptqc::testing_support::run_tool(tool, args);
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const std::string kModel = std::string(PTQC_SOURCE_DIR) + "/tests/models/paddle_style/model.onnx";

/// A calibration set of 6 random 1x3x16x16 samples and the seed-style config (with comments).
class PtqcCli : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = ptqc::testing_support::temp_dir("cli");
    fs::create_directories(dir_ + "/calib");
    std::mt19937 rng(3);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    std::ofstream list(dir_ + "/list.txt");
    for (int i = 0; i < 6; ++i) {
      std::vector<float> v(3 * 16 * 16);
      for (float& x : v) x = u(rng);
      std::ofstream(dir_ + "/calib/s" + std::to_string(i) + ".bin", std::ios::binary)
          .write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size() * 4));
      list << "s" << i << ".bin\n";
    }
    write_config("quant.json", "");
  }

  void write_config(const std::string& name, const std::string& extra_quantize_info) {
    std::ofstream(dir_ + "/" + name) << R"({"dataset_info": {"dataset_name": "set", "dataset_path": "./calib",  // raw samples
      "image_list_file": "list.txt", "out_file_path": "./record"},
      "model_info": {"input_tensor_info": [{"index": 0, "input_name": "x", "input_type": "data",
        "net_format": "NCHW", "output_data_type": "FP32", "mean": "0.0,0.0,0.0", "std": "1.0,1.0,1.0"}]},
      "quantize_info": {"quant_mode": "static_ptq", "calibration_batch_num": -1)" +
                                               extra_quantize_info + "}}";
  }

  std::string compile_args(const std::string& output, const std::string& config = "quant.json") const {
    return "--model=" + kModel + " --framework=5 --output=" + dir_ + "/" + output +
           " --soc_version=Ascend310P3 --input_shape=x:1,3,16,16 --enable_quantization=true --quantization_config=" + dir_ +
           "/" + config;
  }

  std::string dir_;
};

TEST_F(PtqcCli, CompilesWithAtcLinesRecordAndRunnableOm) {
  const auto r = run("ptqc", compile_args("out/m_int8"));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("ATC start working now, please wait for a moment."), std::string::npos);
  EXPECT_NE(r.output.find("ATC run success, welcome to the next use."), std::string::npos);
  EXPECT_TRUE(fs::exists(dir_ + "/out/m_int8.om"));
  EXPECT_NE(slurp(dir_ + "/record/record.txt").find("key: \"conv1\""), std::string::npos);

  const auto info = run("ptqc", "--mode=6 --om=" + dir_ + "/out/m_int8.om");
  ASSERT_EQ(info.status, 0) << info.output;
  EXPECT_NE(info.output.find("INT8: 3"), std::string::npos) << info.output;
  EXPECT_NE(info.output.find("Ascend310P3"), std::string::npos);

  const std::string input = std::string(PTQC_SOURCE_DIR) + "/tests/models/paddle_style/input_0.bin";
  const auto ran = run("ptqc-run", "--model=" + dir_ + "/out/m_int8.om --input=" + input + " --output=" + dir_ + "/o");
  ASSERT_EQ(ran.status, 0) << ran.output;
  std::ifstream listing(dir_ + "/o/outputs.json");
  EXPECT_EQ(nlohmann::json::parse(listing)[0]["name"], "y");  // the ONNX model's output name

  const auto dump = run("ptqc", "--mode=1 --om=" + dir_ + "/out/m_int8.om --json=" + dir_ + "/m.json");
  ASSERT_EQ(dump.status, 0) << dump.output;
  const auto om = nlohmann::json::parse(slurp(dir_ + "/m.json"));
  ASSERT_TRUE(om.is_object());

  // ptqc-bench runs the .om's activations in the arena its TASK_INFO plans.
  const auto bench = run("ptqc-bench", "--model=" + dir_ + "/out/m_int8.om --loop=2 --warmup=1 --json=" + dir_ + "/b.json");
  ASSERT_EQ(bench.status, 0) << bench.output;
  EXPECT_NE(bench.output.find("arena from the memory plan"), std::string::npos) << bench.output;
  const auto b = nlohmann::json::parse(slurp(dir_ + "/b.json"));
  EXPECT_EQ(b["arena_bytes"], om["task_info"]["arena_size"]);
  EXPECT_GT(b["values_in_arena"].get<int>(), 0);
}

TEST_F(PtqcCli, SameInputsGiveByteIdenticalOmForAnyThreadCount) {
  ASSERT_EQ(run("ptqc", compile_args("a") + " --threads=1").status, 0);
  fs::remove_all(dir_ + "/record");  // calibrate again rather than reuse the record
  ASSERT_EQ(run("ptqc", compile_args("b") + " --threads=2").status, 0);
  EXPECT_EQ(slurp(dir_ + "/a.om"), slurp(dir_ + "/b.om"));
  // With the record in place the second run skips calibration and still gives the same bytes.
  const auto reused = run("ptqc", compile_args("c") + " --log=info");
  ASSERT_EQ(reused.status, 0);
  EXPECT_NE(reused.output.find("calibration skipped"), std::string::npos) << reused.output;
  EXPECT_EQ(slurp(dir_ + "/a.om"), slurp(dir_ + "/c.om"));
}

TEST_F(PtqcCli, ChangedCalibrationDataIsNotReusedFromAStaleRecord) {
  ASSERT_EQ(run("ptqc", compile_args("first")).status, 0);
  const auto reused = run("ptqc", compile_args("second"));  // default log level
  ASSERT_EQ(reused.status, 0) << reused.output;
  EXPECT_NE(reused.output.find("calibration skipped: reused the record in " + dir_ + "/record"), std::string::npos)
      << reused.output;
  const std::string record = slurp(dir_ + "/record/quant_record.json");
  // Regenerated samples: same names and sizes, other values. The record is stale now.
  std::vector<float> v(3 * 16 * 16, 0.75f);
  std::ofstream(dir_ + "/calib/s3.bin", std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size() * 4));
  const auto recalibrated = run("ptqc", compile_args("third"));
  ASSERT_EQ(recalibrated.status, 0) << recalibrated.output;
  EXPECT_EQ(recalibrated.output.find("calibration skipped"), std::string::npos) << recalibrated.output;
  EXPECT_NE(slurp(dir_ + "/record/quant_record.json"), record);
}

TEST_F(PtqcCli, FailedRunLeavesNoOmAndKeepsAnExistingOne) {
  std::ofstream(dir_ + "/keep.om") << "precious";
  std::ofstream(dir_ + "/calib/s2.bin", std::ios::trunc) << "short";
  const auto r = run("ptqc", compile_args("keep"));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("ATC run failed"), std::string::npos);
  EXPECT_NE(r.output.find("E19030"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("s2.bin"), std::string::npos) << r.output;
  EXPECT_EQ(slurp(dir_ + "/keep.om"), "precious");
  for (const auto& e : fs::directory_iterator(dir_)) EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos);
}

TEST_F(PtqcCli, BadFlagsAndConfigsGiveCodedLines) {
  write_config("typo.json", R"(, "act_alg": "ifmr")");
  const std::string base = "--framework=5 --output=" + dir_ + "/x --soc_version=Ascend310P3 ";
  struct Case {
    std::string args, code, text;
  } cases[] = {
      {base, "E10007", "[--model]"},
      {"--model=" + kModel + " --framework=3 --output=" + dir_ + "/x --soc_version=Ascend310P3", "E10001", "TensorFlow"},
      {"--model=" + kModel + " --framework=5 --output=" + dir_ + "/x --soc_version=Ascend999", "E10001", "Ascend310P3"},
      {"--model=" + kModel + " " + base + "--input_shape=x:1,3,0,16", "E10001", "--input_shape"},
      {"--model=" + kModel + " " + base + "--enable_quantization=true", "E10007", "[--quantization_config]"},
      {compile_args("x", "typo.json"), "E10001", "did you mean \"act_algo\""},
      {"--model=" + kModel + " " + base + "--out_nodes=nope:0", "E10016", "nope"},
      {"--model=" + kModel + " " + base + "--log=loud", "E10010", "--log"},
      {"--mode=2", "E10001", "--mode"},
      {"--mode=6 --om=" + kModel, "E19020", "model.onnx"},
      {"--model=" + dir_ + "/none.onnx " + base, "E19000", "none.onnx"},
  };
  for (const auto& c : cases) {
    const auto r = run("ptqc", c.args);
    EXPECT_NE(r.status, 0) << c.args;
    EXPECT_NE(r.output.find("ATC run failed"), std::string::npos) << c.args << "\n" << r.output;
    EXPECT_NE(r.output.find(c.code + ": "), std::string::npos) << c.args << "\n" << r.output;
    EXPECT_NE(r.output.find(c.text), std::string::npos) << c.args << "\n" << r.output;
  }
}

TEST_F(PtqcCli, WithoutQuantizationCompilesAnFp16Om) {
  const auto r = run("ptqc", "--model=" + kModel + " --framework=5 --output=" + dir_ + "/fp16 --soc_version=Ascend910B3");
  ASSERT_EQ(r.status, 0) << r.output;
  const auto info = run("ptqc", "--mode=6 --om=" + dir_ + "/fp16.om");
  EXPECT_NE(info.output.find("INT8: 0"), std::string::npos) << info.output;
  EXPECT_NE(info.output.find("force_fp16"), std::string::npos) << info.output;
}

TEST_F(PtqcCli, KeepDtypeOutNodesAndOutputTypeShapeTheOm) {
  std::ofstream(dir_ + "/keep.txt") << "# kept in float\nconv1\nOpType::AveragePool\n";
  const auto r = run("ptqc", compile_args("kept") + " --keep_dtype=" + dir_ + "/keep.txt --out_nodes=conv2:0 --output_type=FP16");
  ASSERT_EQ(r.status, 0) << r.output;
  const auto info = run("ptqc", "--mode=6 --om=" + dir_ + "/kept.om");
  // conv1 is kept in float; conv2 is INT8; the pool after conv2 is cut away by --out_nodes.
  EXPECT_NE(info.output.find("INT8: 1"), std::string::npos) << info.output;
  EXPECT_NE(info.output.find("output c2: float16 [1,4,16,16]"), std::string::npos) << info.output;
}

TEST_F(PtqcCli, PrecheckReportsEveryOp) {
  const std::string report = dir_ + "/check.json";
  const auto r = run("ptqc", "--mode=3 --model=" + kModel + " --soc_version=Ascend310 --check_report=" + report);
  ASSERT_EQ(r.status, 0) << r.output;
  const auto j = nlohmann::json::parse(slurp(report));
  EXPECT_EQ(j["summary"]["unsupported"], 0);
  EXPECT_EQ(j["summary"]["quantized"], 3);  // conv1, conv2, the AveragePool
  for (const auto& op : j["ops"]) {
    if (!op["quantized"].get<bool>()) EXPECT_TRUE(op.contains("reason")) << op.dump();
  }
}

}  // namespace

namespace {

const std::string kExample = std::string(PTQC_SOURCE_DIR) + "/examples/sr";

/// A copy of examples/sr's config \p source in \p dir with absolute dataset paths, the record
/// (when it names one) in \p dir, and output_data_type set to \p data_type (when given).
std::string example_config(const std::string& dir, const std::string& source, const std::string& data_type) {
  std::string text = slurp(kExample + "/" + source);
  auto replace = [&text](const std::string& from, const std::string& to) {
    const size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
  };
  const bool img = source == "quant_img.json";
  replace(img ? "\"./calib_png\"" : "\"./calib_bin\"", "\"" + kExample + (img ? "/calib_png\"" : "/calib_bin\""));
  replace(img ? "\"calib_png.txt\"" : "\"calib_bin.txt\"", "\"" + kExample + (img ? "/calib_png.txt\"" : "/calib_bin.txt\""));
  if (text.find("../../out/sr_calibration") != std::string::npos) {
    replace("\"../../out/sr_calibration\"", "\"" + dir + "/record_" + source + "\"");
  }
  if (!data_type.empty()) replace("\"output_data_type\": \"FP32\"", "\"output_data_type\": \"" + data_type + "\"");
  const std::string path = dir + "/" + data_type + source;
  std::ofstream(path) << text;
  return path;
}

std::vector<float> floats_of(const std::string& path) {
  const std::string bytes = slurp(path);
  std::vector<float> v(bytes.size() / 4);
  std::memcpy(v.data(), bytes.data(), v.size() * 4);
  return v;
}

TEST_F(PtqcCli, AccuracyTargetReportsTheFloatLayersAndAnUnreachableOneFailsCleanly) {
  write_config("target.json", R"(, "accuracy_target": {"metric": "sqnr_db", "value": 45})");
  const auto r = run("ptqc", compile_args("target", "target.json") + " --precision_mode=force_fp32");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("accuracy_target: sqnr_db"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("held-out calibration batch(es)"), std::string::npos) << r.output;
  const auto report = nlohmann::json::parse(slurp(dir_ + "/record/mixed_precision.json"));
  EXPECT_GE(report["reached"].get<double>(), 45.0);
  EXPECT_LT(report["every_layer_int8"].get<double>(), 45.0);
  EXPECT_GE(report["float_layers"].size(), 1u);
  EXPECT_LT(report["float_layers"].size(), 3u);
  EXPECT_EQ(report["eval_batches"], 1);  // 6 samples: the last quarter (at least one) is held out
  for (const auto& layer : report["float_layers"]) {
    EXPECT_NE(r.output.find("kept in float: " + layer.get<std::string>()), std::string::npos) << r.output;
  }
  // Deterministic: the search, bias correction and the .om do not depend on the thread count.
  ASSERT_EQ(run("ptqc", compile_args("target_t1", "target.json") + " --precision_mode=force_fp32 --threads=1").status, 0);
  ASSERT_EQ(run("ptqc", compile_args("target_t2", "target.json") + " --precision_mode=force_fp32 --threads=2").status, 0);
  EXPECT_EQ(slurp(dir_ + "/target_t1.om"), slurp(dir_ + "/target_t2.om"));
  EXPECT_EQ(slurp(dir_ + "/target_t1.om"), slurp(dir_ + "/target.om"));

  // A missing eval list names the key.
  write_config("no_eval.json", R"(, "accuracy_target": {"metric": "cosine", "value": 0.99, "eval_list_file": "missing.txt"})");
  const auto missing = run("ptqc", compile_args("no_eval", "no_eval.json"));
  EXPECT_NE(missing.status, 0);
  EXPECT_NE(missing.output.find("quantize_info.accuracy_target.eval_list_file: no such file"), std::string::npos) << missing.output;
  EXPECT_FALSE(fs::exists(dir_ + "/no_eval.om"));

  // FP16 activations cannot reach 150 dB whatever stays float: a coded error, and no .om.
  write_config("too_high.json", R"(, "accuracy_target": {"metric": "sqnr_db", "value": 150})");
  const auto failed = run("ptqc", compile_args("too_high", "too_high.json"));
  EXPECT_NE(failed.status, 0);
  EXPECT_NE(failed.output.find("E10001"), std::string::npos) << failed.output;
  EXPECT_NE(failed.output.find("quantize_info.accuracy_target: sqnr_db 150.00 dB cannot be reached"), std::string::npos)
      << failed.output;
  EXPECT_FALSE(fs::exists(dir_ + "/too_high.om"));
}

TEST(PtqcExample, TrainedConvNetIsSmallAndAccurate) {
  const std::string dir = ptqc::testing_support::temp_dir("example");
  const std::string model = kExample + "/model_fp32.onnx";
  const auto r = run("ptqc", "--model=" + model + " --framework=5 --output=" + dir + "/sr --soc_version=Ascend310P3" +
                                 " --input_shape=input:1,3,64,64 --enable_quantization=true --quantization_config=" +
                                 example_config(dir, "quant_data.json", ""));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_LE(fs::file_size(dir + "/sr.om"), 0.3 * fs::file_size(model));
  const std::string list = kExample + "/test/list.txt";
  ASSERT_EQ(run("ptqc-run", "--model=" + dir + "/sr.om --input_list=" + list + " --output=" + dir + "/int8").status, 0);
  ASSERT_EQ(run("ptqc-run", "--model=" + model + " --input_list=" + list + " --output=" + dir + "/fp32").status, 0);
  for (const auto& sample : fs::directory_iterator(dir + "/fp32")) {
    const auto want = floats_of(sample.path().string() + "/output_0.bin");
    const auto got = floats_of(dir + "/int8/" + sample.path().filename().string() + "/output_0.bin");
    ASSERT_EQ(got.size(), want.size());
    double dot = 0, ww = 0, gg = 0;
    for (size_t i = 0; i < want.size(); ++i) dot += double(got[i]) * want[i], ww += double(want[i]) * want[i], gg += double(got[i]) * got[i];
    EXPECT_GE(dot / std::sqrt(ww * gg), 0.999) << sample.path();
  }
}

TEST(PtqcExample, Fp16ModelCalibratesOnItsDeclaredInputType) {
  // FP32 .bin samples and PNGs rounded to FP16 must calibrate an FP16 model identically.
  const std::string dir = ptqc::testing_support::temp_dir("fp16");
  const std::string base = "--model=" + kExample + "/model_fp16.onnx --framework=5 --soc_version=Ascend310P3" +
                           " --input_shape=input:1,3,64,64 --enable_quantization=true";
  ASSERT_EQ(run("ptqc", base + " --output=" + dir + "/a --quantization_config=" + example_config(dir, "quant_data.json", "")).status, 0);
  ASSERT_EQ(run("ptqc", base + " --output=" + dir + "/b --quantization_config=" + example_config(dir, "quant_img.json", "FP16")).status, 0);
  EXPECT_EQ(slurp(dir + "/a.om"), slurp(dir + "/b.om"));
}

}  // namespace
