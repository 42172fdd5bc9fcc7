// ptqc-compare's folder mode on small hand-written ptqc-run output folders.

#include "compare/output_folders.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "ptqc/compare.h"
#include "ptqc/error.h"
#include "support/test_models.h"

namespace fs = std::filesystem;

namespace ptqc {
namespace {

/// Writes DIR/outputs.json and DIR/output_<i>.bin for float32 outputs (name, shape, values).
struct FakeOutput {
  std::string name;
  Shape shape;
  std::vector<float> values;
};

void write_folder(const std::string& dir, const std::vector<FakeOutput>& outputs) {
  fs::create_directories(dir);
  std::string listing = "[";
  for (size_t i = 0; i < outputs.size(); ++i) {
    const std::string file = "output_" + std::to_string(i) + ".bin";
    std::ofstream(dir + "/" + file, std::ios::binary)
        .write(reinterpret_cast<const char*>(outputs[i].values.data()), static_cast<std::streamsize>(outputs[i].values.size() * 4));
    std::string shape;
    for (int64_t d : outputs[i].shape) shape += (shape.empty() ? "" : ",") + std::to_string(d);
    listing += std::string(i ? "," : "") + R"({"name": ")" + outputs[i].name + R"(", "dtype": "float32", "shape": [)" + shape +
               R"(], "file": ")" + file + R"("})";
  }
  std::ofstream(dir + "/outputs.json") << listing << "]\n";
}

void expect_error(const std::function<void()>& f, ErrorCode code, const std::string& fragment) {
  try {
    f();
    ADD_FAILURE() << "no error (expected " << error_code_string(code) << ")";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_NE(e.message().find(fragment), std::string::npos) << e.message();
  }
}

TEST(OutputFolders, ComparesASingleSampleFolderByName) {
  const std::string dir = testing_support::temp_dir("cmp_single");
  // Outputs listed in different orders: they are matched by name.
  write_folder(dir + "/a", {{"logits", {1, 4}, {1, 2, 3, 4}}, {"aux", {2}, {1, 1}}});
  write_folder(dir + "/b", {{"aux", {2}, {1, 1}}, {"logits", {1, 4}, {1, 2, 3, 5}}});
  const CompareReport r = compare_output_folders(dir + "/a", dir + "/b", {});
  EXPECT_EQ(r.mode, "folders");
  EXPECT_EQ(r.samples, 1);
  ASSERT_EQ(r.outputs.size(), 2u);
  EXPECT_EQ(r.outputs[0].name, "logits");
  const TensorMetrics& m = r.outputs[0].samples.at(0);
  EXPECT_NEAR(m.sqnr_db, 10.0 * std::log10(30.0), 1e-9);
  EXPECT_EQ(m.rows, 1);  // [1, 4] is class-shaped: label 3 stays top-1
  EXPECT_EQ(m.top1_hits, 1);
  EXPECT_TRUE(std::isinf(r.outputs[1].samples.at(0).sqnr_db));
}

TEST(OutputFolders, ComparesNumberedSampleFolders) {
  const std::string dir = testing_support::temp_dir("cmp_multi");
  write_folder(dir + "/a/0000", {{"y", {2}, {1, 2}}});
  write_folder(dir + "/a/0001", {{"y", {2}, {3, 4}}});
  write_folder(dir + "/b/0000", {{"y", {2}, {1, 2}}});
  write_folder(dir + "/b/0001", {{"y", {2}, {3, 5}}});
  const CompareReport r = compare_output_folders(dir + "/a", dir + "/b", {});
  EXPECT_EQ(r.samples, 2);
  ASSERT_EQ(r.outputs.size(), 1u);
  ASSERT_EQ(r.outputs[0].samples.size(), 2u);
  EXPECT_TRUE(std::isinf(r.outputs[0].samples[0].sqnr_db));
  EXPECT_NEAR(r.outputs[0].samples[1].sqnr_db, 10.0 * std::log10(25.0), 1e-9);
  const OutputSummary s = summarize(r.outputs[0]);
  EXPECT_EQ(s.sqnr_db.worst_sample, 1);
  EXPECT_EQ(s.max_abs_error, 1.0);
}

TEST(OutputFolders, MismatchedFoldersAreErrors) {
  const std::string dir = testing_support::temp_dir("cmp_bad");
  write_folder(dir + "/a/0000", {{"y", {2}, {1, 2}}});
  write_folder(dir + "/a/0001", {{"y", {2}, {1, 2}}});
  write_folder(dir + "/b/0000", {{"y", {2}, {1, 2}}});
  expect_error([&] { compare_output_folders(dir + "/a", dir + "/b", {}); }, ErrorCode::kInvalidData, "sample folder 0001");

  write_folder(dir + "/c", {{"y", {2}, {1, 2}}});
  write_folder(dir + "/d", {{"z", {2}, {1, 2}}});
  expect_error([&] { compare_output_folders(dir + "/c", dir + "/d", {}); }, ErrorCode::kInvalidData, "output 'y'");

  write_folder(dir + "/e", {{"y", {1, 2}, {1, 2}}});
  expect_error([&] { compare_output_folders(dir + "/c", dir + "/e", {}); }, ErrorCode::kInvalidData, "INT8 shape 1x2");

  write_folder(dir + "/f", {{"y", {3}, {1, 2}}});  // 8 bytes for 3 floats
  expect_error([&] { compare_output_folders(dir + "/c", dir + "/f", {}); }, ErrorCode::kInvalidData, "needs 12 bytes");

  expect_error([&] { compare_output_folders(dir + "/c", dir + "/missing", {}); }, ErrorCode::kFileIo, "missing");
  fs::create_directories(dir + "/empty");
  expect_error([&] { compare_output_folders(dir + "/empty", dir + "/c", {}); }, ErrorCode::kFileIo, "neither outputs.json");

  fs::create_directories(dir + "/g");
  std::ofstream(dir + "/g/outputs.json") << "[{\"name\": \"y\"}]";
  expect_error([&] { compare_output_folders(dir + "/c", dir + "/g", {}); }, ErrorCode::kInvalidData, "outputs.json[0]");
  std::ofstream(dir + "/g/outputs.json") << "not json";
  expect_error([&] { compare_output_folders(dir + "/c", dir + "/g", {}); }, ErrorCode::kInvalidData, "not valid JSON");
}

}  // namespace
}  // namespace ptqc
