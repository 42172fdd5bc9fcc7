// Bad input at the command line, as a user meets it: graphs ptqc cannot run are refused at
// compile time with the node, op, domain and shapes; files that are not regular files are
// refused at once instead of hanging; sizes beyond the memory limit are coded errors; a failed
// run writes nothing. CI also runs these tests (BadInput*) under ASan and UBSan.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/test_models.h"

namespace fs = std::filesystem;
using namespace ptqc::testing_support;

namespace {

const std::string kModel = std::string(PTQC_SOURCE_DIR) + "/tests/models/paddle_style/model.onnx";
const std::string kInput = std::string(PTQC_SOURCE_DIR) + "/tests/models/paddle_style/input_0.bin";

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// x[1, 4] -> MatMul(w[4, 5]) -> (Add with b | FancyOp) -> y.
std::string matmul_then(const std::string& dir, const std::string& op, const std::string& domain, ptqc::Shape bias) {
  auto model = empty_model(17);
  auto* g = model.mutable_graph();
  add_value(g->add_input(), "x", onnx::TensorProto::FLOAT, {1, 4});
  add_value(g->add_output(), "y", onnx::TensorProto::FLOAT, {1, 5});
  *g->add_initializer() = float_initializer("w", {4, 5}, std::vector<float>(20, 0.5f));
  add_node(model, "MatMul", {"x", "w"}, {"m"}, "mm");
  if (op == "Add") {
    *g->add_initializer() = float_initializer("b", bias, std::vector<float>(static_cast<size_t>(bias[1]), 1.0f));
    add_node(model, "Add", {"m", "b"}, {"y"}, "add");
  } else {
    add_node(model, op, {"m"}, {"y"}, "fancy")->set_domain(domain);
  }
  const std::string path = dir + "/" + op + ".onnx";
  std::ofstream out(path, std::ios::binary);
  model.SerializeToOstream(&out);
  return path;
}

std::string compile(const std::string& model, const std::string& output, const std::string& extra = "") {
  return "--model=" + model + " --framework=5 --output=" + output + " --soc_version=Ascend310P3 " + extra;
}

void expect_failure(const ToolResult& r, const std::string& code, const std::vector<std::string>& parts) {
  EXPECT_NE(r.status, 0) << r.output;
  EXPECT_NE(r.status, 124) << "timed out: " << r.output;
  EXPECT_NE(r.output.find(code + ": "), std::string::npos) << r.output;
  for (const std::string& part : parts) EXPECT_NE(r.output.find(part), std::string::npos) << part << " | " << r.output;
}

class BadInput : public testing::Test {
 protected:
  std::string dir_ = temp_dir("badinput");
};

TEST_F(BadInput, AnUnsupportedOpFailsBeforeAnythingIsWritten) {
  const std::string model = matmul_then(dir_, "FancyOp", "com.acme", {});
  std::ofstream(dir_ + "/fancy.om") << "precious";
  expect_failure(run_tool("ptqc", compile(model, dir_ + "/fancy")), "E19010",
                 {"ATC run failed", "FancyOp 'fancy'", "com.acme", "m: float32 1x5"});
  EXPECT_EQ(slurp(dir_ + "/fancy.om"), "precious");
  for (const auto& e : fs::directory_iterator(dir_)) EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos);
}

TEST_F(BadInput, AShapeMismatchNamesTheNodeAndItsShapes) {
  const std::string model = matmul_then(dir_, "Add", "", {1, 4});
  expect_failure(run_tool("ptqc", compile(model, dir_ + "/mismatch")), "E19020",
                 {"Add 'add'", "domain ai.onnx", "1x5 and 1x4 do not broadcast", "b: float32 1x4"});
  EXPECT_FALSE(fs::exists(dir_ + "/mismatch.om"));
}

TEST_F(BadInput, PrecheckWritesItsReportWhenTheModelFails) {
  const std::string fancy = matmul_then(dir_, "FancyOp", "com.acme", {});
  const auto r = run_tool("ptqc", "--mode=3 --model=" + fancy + " --check_report=" + dir_ + "/fancy.json");
  expect_failure(r, "E19010", {"not supported"});
  const auto report = nlohmann::json::parse(slurp(dir_ + "/fancy.json"));
  EXPECT_EQ(report["summary"]["unsupported"], 1);
  EXPECT_EQ(report["summary"]["shape_check"], "failed");
  EXPECT_NE(report["ops"][1]["error"].get<std::string>().find("com.acme"), std::string::npos) << report.dump(2);

  const std::string mismatch = matmul_then(dir_, "Add", "", {1, 4});
  expect_failure(run_tool("ptqc", "--mode=3 --model=" + mismatch + " --check_report=" + dir_ + "/mismatch.json"), "E19020",
                 {"Add 'add'"});
  const auto invalid = nlohmann::json::parse(slurp(dir_ + "/mismatch.json"));
  EXPECT_EQ(invalid["summary"]["unsupported"], 0);
  EXPECT_NE(invalid["error"].get<std::string>().find("E19020"), std::string::npos) << invalid.dump(2);

  std::ofstream(dir_ + "/corrupt.onnx") << "not a model";
  expect_failure(run_tool("ptqc", "--mode=3 --model=" + dir_ + "/corrupt.onnx --check_report=" + dir_ + "/corrupt.json"),
                 "E19020", {"corrupt.onnx"});
  EXPECT_NE(nlohmann::json::parse(slurp(dir_ + "/corrupt.json"))["error"].get<std::string>().find("not a valid ONNX"),
            std::string::npos);
}

TEST_F(BadInput, FilesThatAreNotRegularFilesAreRefusedAtOnce) {
  ASSERT_EQ(::mkfifo((dir_ + "/fifo").c_str(), 0600), 0);
  const std::string fifo = dir_ + "/fifo";
  struct Case {
    std::string tool, args, words;
  } cases[] = {
      {"ptqc", compile("/dev/zero", dir_ + "/a"), "is a device"},
      {"ptqc", compile(fifo, dir_ + "/a"), "is a FIFO"},
      {"ptqc", compile(dir_, dir_ + "/a"), "is a directory"},
      {"ptqc", compile(kModel, dir_ + "/a", "--enable_quantization=true --quantization_config=" + fifo), "is a FIFO"},
      {"ptqc", "--mode=6 --om=/dev/zero", "is a device"},
      {"ptqc", "--mode=1 --om=" + fifo + " --json=" + dir_ + "/o.json", "is a FIFO"},
      {"ptqc-run", "--model=" + fifo + " --input=" + kInput + " --output=" + dir_ + "/o", "is a FIFO"},
      {"ptqc-run", "--model=" + kModel + " --input=" + fifo + " --output=" + dir_ + "/o", "is a FIFO"},
      {"ptqc-run", "--model=" + kModel + " --input=/dev/zero --output=" + dir_ + "/o", "is a device"},
      {"ptqc-run", "--model=" + kModel + " --input_list=" + fifo + " --output=" + dir_ + "/o", "is a FIFO"},
      {"ptqc-bench", "--model=" + kModel + " --input=" + dir_ + " --loop=1", "is a directory"},
  };
  for (const auto& c : cases) expect_failure(run_tool(c.tool, c.args), "E19000", {c.words});
  EXPECT_FALSE(fs::exists(dir_ + "/o"));
}

TEST_F(BadInput, SizesBeyondTheLimitAreCodedErrors) {
  expect_failure(run_tool("ptqc", compile(kModel, dir_ + "/a", "--input_shape=x:9223372036854775807,3,16,16")), "E10001",
                 {"--input_shape", "64-bit"});
  expect_failure(run_tool("ptqc", compile(kModel, dir_ + "/a", "--input_shape=x:1,3,16,16 --max_memory=1K")), "E10001",
                 {"--input_shape", "1x3x16x16", "limit of 1024"});
  expect_failure(run_tool("ptqc", compile(kModel, dir_ + "/a", "--max_memory=lots")), "E10001", {"--max_memory"});
  expect_failure(run_tool("ptqc-run", "--model=" + kModel + " --input=" + kInput + " --output=" + dir_ + "/o --max_memory=1K"),
                 "E19020", {"graph input 'x'", "limit of 1024"});
  EXPECT_FALSE(fs::exists(dir_ + "/a.om"));
}

TEST_F(BadInput, HugeBlocksizeIsAnErrorAtCompileAndRunTime) {
  auto model = empty_model(17);
  add_value(model.mutable_graph()->add_input(), "x", onnx::TensorProto::FLOAT, {1, 4, 2, 2});
  add_value(model.mutable_graph()->add_output(), "y", onnx::TensorProto::FLOAT, {});
  set_int_attr(add_node(model, "DepthToSpace", {"x"}, {"y"}, "d2s"), "blocksize", int64_t{1} << 32);
  const std::string path = save_temp_model(model, "d2s");
  expect_failure(run_tool("ptqc", compile(path, dir_ + "/d2s")), "E19020", {"DepthToSpace 'd2s'", "blocksize"});
  std::ofstream(dir_ + "/x.bin", std::ios::binary) << std::string(64, '\0');
  expect_failure(run_tool("ptqc-run", "--model=" + path + " --input=" + dir_ + "/x.bin --output=" + dir_ + "/o"), "E19020",
                 {"DepthToSpace 'd2s'"});
}

}  // namespace
