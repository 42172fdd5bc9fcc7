// End-to-end checks of the installed-style executables, run as a user would from a shell.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "support/test_models.h"

namespace fs = std::filesystem;

namespace {

ptqc::testing_support::ToolResult run(const std::string& args, const std::string& tool = "ptqc-run") {
  return ptqc::testing_support::run_tool(tool, args);
}

const std::string kModels = std::string(PTQC_SOURCE_DIR) + "/tests/models";

TEST(PtqcRun, WritesOutputsAndTheirListing) {
  const std::string out = ptqc::testing_support::temp_dir("run");
  const auto r = run("--model=" + kModels + "/tf2onnx_style/model.onnx --input=" + kModels +
                     "/tf2onnx_style/input_0.bin --output=" + out);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(fs::file_size(out + "/output_0.bin"), fs::file_size(kModels + "/tf2onnx_style/expected_0.bin"));
  std::ifstream listing(out + "/outputs.json");
  const auto j = nlohmann::json::parse(listing);
  EXPECT_EQ(j[0]["name"], "output:0");
  EXPECT_EQ(j[0]["dtype"], "float32");
  EXPECT_EQ(j[0]["shape"], nlohmann::json({2, 216}));
}

TEST(PtqcRun, InputListRunsEverySampleIntoNumberedFolders) {
  const std::string dir = ptqc::testing_support::temp_dir("list");
  fs::copy_file(kModels + "/paddle_style/input_0.bin", dir + "/a.bin");
  fs::copy_file(kModels + "/paddle_style/input_0.bin", dir + "/b.bin");
  std::ofstream(dir + "/list.txt") << "a.bin\n\nb.bin\n";
  const auto r = run("--model " + kModels + "/paddle_style/model.onnx --input_list " + dir + "/list.txt --output " + dir + "/out");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(fs::exists(dir + "/out/0000/output_0.bin"));
  EXPECT_TRUE(fs::exists(dir + "/out/0001/output_0.bin"));
  EXPECT_FALSE(fs::exists(dir + "/out/0002"));
}

TEST(PtqcRun, BadInputsGiveOneCodedLineAndANonZeroExit) {
  const std::string dir = ptqc::testing_support::temp_dir("bad");
  std::ofstream(dir + "/short.bin") << "abc";
  std::ofstream(dir + "/garbage.onnx") << "not a model";
  const std::string model = "--model=" + kModels + "/paddle_style/model.onnx";
  const std::string input = " --input=" + kModels + "/paddle_style/input_0.bin";
  struct Case {
    std::string args, code;
  } cases[] = {
      {model + " --input=" + dir + "/short.bin --output=" + dir + "/o1", "E19030"},
      {model + " --input=" + dir + "/missing.bin --output=" + dir + "/o2", "E19000"},
      {"--model=" + dir + "/garbage.onnx" + input + " --output=" + dir + "/o3", "E19020"},
      {"--model=" + dir + "/none.onnx" + input + " --output=" + dir + "/o4", "E19000"},
      {model + input + " --input_shape=x:1,3,0,16 --output=" + dir + "/o5", "E10001"},
      {model + input + " --input_shape=y:1,3,16,16 --output=" + dir + "/o6", "E10001"},
      {model + input + " --log=loud --output=" + dir + "/o7", "E10010"},
  };
  for (const auto& c : cases) {
    const auto r = run(c.args);
    EXPECT_NE(r.status, 0) << c.args;
    EXPECT_NE(r.output.find("[ERROR] " + c.code + ": "), std::string::npos) << c.args << "\n" << r.output;
  }
  for (int i = 1; i <= 7; ++i) EXPECT_FALSE(fs::exists(dir + "/o" + std::to_string(i) + "/output_0.bin"));
}

TEST(PtqcBench, PrintsLatencyStatisticsAndJson) {
  const std::string dir = ptqc::testing_support::temp_dir("bench");
  const auto r = run("--model=" + kModels + "/paddle_style/model.onnx --loop=3 --warmup=1 --threads=2 --json=" + dir + "/b.json",
                     "ptqc-bench");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("median"), std::string::npos);
  std::ifstream in(dir + "/b.json");
  const auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j["loop"], 3);
  EXPECT_LE(j["min_ms"].get<double>(), j["median_ms"].get<double>());
  EXPECT_LE(j["median_ms"].get<double>(), j["max_ms"].get<double>());
  EXPECT_GT(j["throughput"].get<double>(), 0.0);
  // An ONNX model is planned at load as an .om's TASK_INFO is: its activations live in the arena.
  EXPECT_GT(j["arena_bytes"].get<int64_t>(), 0);
  EXPECT_GT(j["values_in_arena"].get<int64_t>(), 0);
}

TEST(PtqcBench, ProfileSharesTheTimeOutAmongOpTypesAndNodes) {
  const std::string dir = ptqc::testing_support::temp_dir("bench_profile");
  const auto r = run("--model=" + kModels + "/paddle_style/model.onnx --loop=2 --warmup=1 --profile --json=" + dir + "/b.json",
                     "ptqc-bench");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("slowest nodes"), std::string::npos) << r.output;
  std::ifstream in(dir + "/b.json");
  const auto j = nlohmann::json::parse(in);
  // Conv -> HardSwish -> Conv -> AveragePool after optimisation: three op types, four nodes.
  std::set<std::string> types;
  double share = 0.0;
  for (const auto& t : j["profile"]["op_types"]) {
    types.insert(t["op_type"].get<std::string>());
    share += t["share"].get<double>();
    EXPECT_GE(t["ms_per_run"].get<double>(), 0.0);
  }
  EXPECT_EQ(types, (std::set<std::string>{"AveragePool", "Conv", "HardSwish"}));
  EXPECT_NEAR(share, 1.0, 1e-9);
  ASSERT_EQ(j["profile"]["slowest_nodes"].size(), 4u);
  const auto& nodes = j["profile"]["slowest_nodes"];
  for (size_t k = 1; k < nodes.size(); ++k) {
    EXPECT_GE(nodes[k - 1]["ms_per_run"].get<double>(), nodes[k]["ms_per_run"].get<double>());
  }
}

TEST(PtqcBench, ReferenceKernelsRunAndUnknownKernelSetsAreRefused) {
  const std::string model = "--model=" + kModels + "/paddle_style/model.onnx --loop=1 --warmup=0";
  EXPECT_EQ(run(model + " --kernels=reference", "ptqc-bench").status, 0);
  const auto r = run(model + " --kernels=avx9", "ptqc-bench");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("[ERROR] E10001: Value [avx9] for parameter [--kernels]"), std::string::npos) << r.output;
}

}  // namespace
