// Tests of the calibration set reader (src/calib/dataset.cpp, list_file.cpp, input_binding.cpp,
// sample_reader.cpp, image_loader.cpp): raw data and image inputs with hand-computed
// expectations, batching, and one test per bad-input error path.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "ptqc/calibration_dataset.h"
#include "ptqc/error.h"
#include "ptqc/quant_config.h"
#include "support/test_models.h"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include <stb/stb_image_write.h>
#pragma GCC diagnostic pop

namespace ptqc {
namespace {

using nlohmann::json;

/// A calibration folder: config at DIR/quant.json, samples under DIR/data, list at DIR/list.txt.
class CalibrationSet {
 public:
  CalibrationSet() : dir_(testing_support::temp_dir("cfg")) { std::filesystem::create_directory(dir_ + "/data"); }

  const std::string& dir() const { return dir_; }
  std::string data(const std::string& name) const { return dir_ + "/data/" + name; }

  /// Writes \p values' bytes to data/<name>.
  template <class T>
  void write_data(const std::string& name, const std::vector<T>& values) const {
    std::ofstream(data(name), std::ios::binary)
        .write(reinterpret_cast<const char*>(values.data()), static_cast<std::streamsize>(values.size() * sizeof(T)));
  }
  void write_list(const std::string& text) const { std::ofstream(dir_ + "/list.txt") << text; }

  /// Writes the config with \p inputs as model_info.input_tensor_info and loads it.
  QuantConfig config(const std::vector<json>& inputs, int64_t batch_num = -1) const {
    const json config = {{"dataset_info", {{"dataset_path", "data"}, {"image_list_file", "list.txt"}}},
                         {"model_info", {{"input_tensor_info", json(inputs)}}},
                         {"quantize_info", {{"calibration_batch_num", batch_num}}}};
    std::ofstream(dir_ + "/quant.json") << config.dump(2);
    return load_quant_config(dir_ + "/quant.json");
  }

 private:
  std::string dir_;
};

ValueInfo graph_input(const std::string& name, DataType dtype, Shape dims) {
  ValueInfo info;
  info.name = name;
  info.dtype = dtype;
  info.dims = std::move(dims);
  info.has_shape = true;
  return info;
}

json data_input(const std::string& name, const std::string& file_type = "FP32", int index = 0) {
  return {{"index", index}, {"input_name", name}, {"input_type", "data"}, {"output_data_type", file_type}};
}

/// The error that \p body throws.
template <class F>
Error error_of(F&& body) {
  try {
    body();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no ptqc::Error";
  return Error(ErrorCode::kInternal, "");
}

void expect_mentions(const Error& e, ErrorCode code, const std::vector<std::string>& parts) {
  EXPECT_EQ(e.code(), code) << e.what();
  for (const std::string& part : parts)
    EXPECT_NE(e.message().find(part), std::string::npos) << part << " | " << e.what();
}

/// Five float32 samples of shape 2x3; sample k holds k*10 + element index.
void write_five_samples(const CalibrationSet& set) {
  std::string list = "# calibration samples\n\n";
  for (int k = 0; k < 5; ++k) {
    std::vector<float> values(6);
    for (int i = 0; i < 6; ++i) values[static_cast<size_t>(i)] = static_cast<float>(k * 10 + i);
    set.write_data("s" + std::to_string(k) + ".bin", values);
    list += "  s" + std::to_string(k) + ".bin\r\n";
  }
  set.write_list(list + "   # trailing comment\n");
}

TEST(CalibrationDataset, BatchesRawDataAndDropsPartialBatch) {
  CalibrationSet set;
  write_five_samples(set);
  CalibrationDataset dataset(set.config({data_input("x")}), {graph_input("x", DataType::kFloat32, {-1, 2, 3})}, 2);
  EXPECT_EQ(dataset.sample_count(), 5);
  EXPECT_EQ(dataset.batch_count(), 2);  // the fifth sample is dropped
  EXPECT_EQ(dataset.batch_size(), 2);

  std::vector<Tensor> inputs;
  for (int b = 0; b < 2; ++b) {
    ASSERT_TRUE(dataset.next_batch(inputs));
    ASSERT_EQ(inputs.size(), 1u);
    EXPECT_EQ(inputs[0].shape(), (Shape{2, 2, 3}));
    const float* v = inputs[0].data<float>();
    for (int n = 0; n < 2; ++n) {
      for (int i = 0; i < 6; ++i) EXPECT_EQ(v[n * 6 + i], static_cast<float>((2 * b + n) * 10 + i));
    }
  }
  EXPECT_FALSE(dataset.next_batch(inputs));

  dataset.rewind();
  ASSERT_TRUE(dataset.next_batch(inputs));
  EXPECT_EQ(inputs[0].data<float>()[0], 0.0f);
}

TEST(CalibrationDataset, CalibrationBatchNumLimitsBatches) {
  CalibrationSet set;
  write_five_samples(set);
  const std::vector<ValueInfo> inputs = {graph_input("x", DataType::kFloat32, {2, 2, 3})};
  CalibrationDataset one(set.config({data_input("x")}, 1), inputs, 2);
  EXPECT_EQ(one.batch_count(), 1);
  std::vector<Tensor> batch;
  EXPECT_TRUE(one.next_batch(batch));
  EXPECT_FALSE(one.next_batch(batch));

  const Error too_many = error_of([&] { CalibrationDataset(set.config({data_input("x")}, 3), inputs, 2); });
  expect_mentions(too_many, ErrorCode::kInvalidData,
                  {"list.txt", "calibration_batch_num is 3", "5 sample(s), 2 full batch(es) of 2"});

  const Error none = error_of([&] {
    CalibrationDataset(set.config({data_input("x")}), {graph_input("x", DataType::kFloat32, {-1, 2, 3})}, 8);
  });
  expect_mentions(none, ErrorCode::kInvalidData, {"list.txt", "not enough calibration samples for one batch"});
}

TEST(CalibrationDataset, ColumnsFollowIndexOrderAndConvertTypes) {
  CalibrationSet set;
  // Column 0 is "ids" (INT32 file -> int64 graph input), column 1 "feat" (FP16 file -> float32).
  set.write_data<int32_t>("ids.bin", {7, -3, 1 << 20});
  set.write_data<uint16_t>("feat.bin", {float_to_half(1.5f), float_to_half(-0.25f)});
  set.write_list("ids.bin feat.bin\n");
  const std::vector<json> entries = {data_input("feat", "FP16", 1), data_input("ids", "INT32", 0)};
  CalibrationDataset dataset(
      set.config(entries),
      {graph_input("feat", DataType::kFloat32, {1, 2}), graph_input("ids", DataType::kInt64, {1, 3})}, 1);
  std::vector<Tensor> inputs;
  ASSERT_TRUE(dataset.next_batch(inputs));
  ASSERT_EQ(inputs.size(), 2u);  // graph input order
  EXPECT_EQ(inputs[0].dtype(), DataType::kFloat32);
  EXPECT_EQ(inputs[0].to_float_vector(), (std::vector<float>{1.5f, -0.25f}));
  EXPECT_EQ(inputs[1].dtype(), DataType::kInt64);
  EXPECT_EQ(inputs[1].to_int64_vector(), (std::vector<int64_t>{7, -3, 1 << 20}));
}

TEST(CalibrationDataset, PngIsResizedBilinearAndNormalizedNchw) {
  CalibrationSet set;
  // 2x2 RGB: R = [[0, 100], [100, 200]], G = 50, B = 10.
  const std::vector<uint8_t> rgb = {0, 50, 10, 100, 50, 10, 100, 50, 10, 200, 50, 10};
  ASSERT_NE(stbi_write_png(set.data("a.png").c_str(), 2, 2, 3, rgb.data(), 2 * 3), 0);
  set.write_list("a.png\n");
  const json entry = {
      {"input_name", "img"}, {"input_type", "img"}, {"net_format", "NCHW"}, {"mean", "1,2,3"}, {"std", "2,2,2"}};
  CalibrationDataset dataset(set.config({entry}), {graph_input("img", DataType::kFloat32, {1, 3, 4, 4})}, 1);
  std::vector<Tensor> inputs;
  ASSERT_TRUE(dataset.next_batch(inputs));
  ASSERT_EQ(inputs[0].shape(), (Shape{1, 3, 4, 4}));
  // Half-pixel 2 -> 4 taps: source positions -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1),
  // so each axis blends by f = 0, 0.25, 0.75, 1 and R(y, x) = 100 * (f_y + f_x).
  const float f[4] = {0.0f, 0.25f, 0.75f, 1.0f};
  const float* v = inputs[0].data<float>();
  for (int y = 0; y < 4; ++y) {
    for (int x = 0; x < 4; ++x) {
      EXPECT_FLOAT_EQ(v[0 * 16 + y * 4 + x], (100.0f * (f[y] + f[x]) - 1.0f) / 2.0f) << y << "," << x;
      EXPECT_FLOAT_EQ(v[1 * 16 + y * 4 + x], (50.0f - 2.0f) / 2.0f);
      EXPECT_FLOAT_EQ(v[2 * 16 + y * 4 + x], (10.0f - 3.0f) / 2.0f);
    }
  }
}

TEST(CalibrationDataset, GrayPngIsReplicatedIntoNhwc) {
  CalibrationSet set;
  const std::vector<uint8_t> gray = {0, 10, 20, 30, 40, 50};  // 2 rows x 3 columns
  ASSERT_NE(stbi_write_png(set.data("g.png").c_str(), 3, 2, 1, gray.data(), 3), 0);
  set.write_list("g.png\n");
  const json entry = {{"input_name", "img"}, {"input_type", "img"}, {"net_format", "NHWC"}};
  CalibrationDataset dataset(set.config({entry}), {graph_input("img", DataType::kFloat32, {1, 2, 3, 3})}, 1);
  std::vector<Tensor> inputs;
  ASSERT_TRUE(dataset.next_batch(inputs));
  const float* v = inputs[0].data<float>();
  for (int p = 0; p < 6; ++p) {
    for (int c = 0; c < 3; ++c) EXPECT_EQ(v[p * 3 + c], static_cast<float>(gray[static_cast<size_t>(p)]));
  }
}

TEST(CalibrationDataset, JpegIsDecoded) {
  CalibrationSet set;
  const std::vector<uint8_t> gray(8 * 8, 128);  // a flat block survives JPEG coding (up to rounding)
  ASSERT_NE(stbi_write_jpg(set.data("j.jpg").c_str(), 8, 8, 1, gray.data(), 100), 0);
  set.write_list("j.jpg\n");
  const json entry = {{"input_name", "img"}, {"input_type", "img"}};
  CalibrationDataset dataset(set.config({entry}), {graph_input("img", DataType::kFloat32, {1, 3, 4, 4})}, 1);
  std::vector<Tensor> inputs;
  ASSERT_TRUE(dataset.next_batch(inputs));
  for (float v : inputs[0].values<float>()) EXPECT_NEAR(v, 128.0f, 1.0f);
}

TEST(CalibrationDataset, BmpBecomesLumaForOneChannelModel) {
  CalibrationSet set;
  // Pixels: gray 100, pure red, white, black. stb_image's luma is (77 R + 150 G + 29 B) >> 8.
  const std::vector<uint8_t> rgb = {100, 100, 100, 255, 0, 0, 255, 255, 255, 0, 0, 0};
  ASSERT_NE(stbi_write_bmp(set.data("p.bmp").c_str(), 2, 2, 3, rgb.data()), 0);
  set.write_list("p.bmp\n");
  const json entry = {{"input_name", "img"}, {"input_type", "img"}, {"mean", "0"}, {"std", "1"}};
  CalibrationDataset dataset(set.config({entry}), {graph_input("img", DataType::kFloat32, {1, 1, 2, 2})}, 1);
  std::vector<Tensor> inputs;
  ASSERT_TRUE(dataset.next_batch(inputs));
  EXPECT_EQ(inputs[0].to_float_vector(), (std::vector<float>{100.0f, 76.0f, 255.0f, 0.0f}));
}

TEST(CalibrationDataset, RawHwcImageAndUint8OutputTypeRoundHalfEven) {
  CalibrationSet set;
  // 1x2x2 HWC uint8; mean 0.5 makes every value a tie: 3 - 0.5 = 2.5 -> 2, 4 - 0.5 = 3.5 -> 4;
  // 0 - 0.5 = -0.5 -> 0 (ties to even, and saturation keeps UINT8 >= 0).
  set.write_data<uint8_t>("r.bin", {3, 4, 0, 255});
  set.write_list("r.bin\n");
  const json entry = {{"input_name", "img"}, {"input_type", "img"}, {"output_data_type", "UINT8"}, {"mean", "0.5"}};
  CalibrationDataset dataset(set.config({entry}), {graph_input("img", DataType::kFloat32, {1, 1, 2, 2})}, 1);
  std::vector<Tensor> inputs;
  ASSERT_TRUE(dataset.next_batch(inputs));
  EXPECT_EQ(inputs[0].to_float_vector(), (std::vector<float>{2.0f, 4.0f, 0.0f, 254.0f}));
}

TEST(CalibrationDataset, Fp16OutputTypeRoundsValues) {
  CalibrationSet set;
  set.write_data<uint8_t>("r.bin", {1});
  set.write_list("r.bin\n");
  const json entry = {{"input_name", "img"}, {"input_type", "img"}, {"output_data_type", "FP16"}, {"std", "3"}};
  CalibrationDataset dataset(set.config({entry}), {graph_input("img", DataType::kFloat32, {1, 1, 1, 1})}, 1);
  std::vector<Tensor> inputs;
  ASSERT_TRUE(dataset.next_batch(inputs));
  EXPECT_EQ(inputs[0].data<float>()[0], 0.333251953125f);  // the FP16 nearest to 1/3
}

// --- bad inputs --------------------------------------------------------------------------

TEST(CalibrationDatasetErrors, ColumnCountMismatchNamesLine) {
  CalibrationSet set;
  write_five_samples(set);
  set.write_list("s0.bin\n# comment\ns1.bin s2.bin\n");
  const Error e = error_of([&] {
    CalibrationDataset(set.config({data_input("x")}), {graph_input("x", DataType::kFloat32, {1, 2, 3})}, 1);
  });
  expect_mentions(e, ErrorCode::kInvalidData, {set.dir() + "/list.txt:3", "2 column(s), expected 1", "x)"});
}

TEST(CalibrationDatasetErrors, MissingFileNamesLineAndFile) {
  CalibrationSet set;
  write_five_samples(set);
  set.write_list("s0.bin\nnope.bin\n");
  const Error e = error_of([&] {
    CalibrationDataset(set.config({data_input("x")}), {graph_input("x", DataType::kFloat32, {1, 2, 3})}, 1);
  });
  expect_mentions(e, ErrorCode::kFileIo, {"list.txt:2", set.data("nope.bin"), "no such file"});
}

TEST(CalibrationDatasetErrors, ListAndSampleFilesMustBeRegularFiles) {
  CalibrationSet set;
  write_five_samples(set);
  const QuantConfig config = set.config({data_input("x")});
  const std::vector<ValueInfo> inputs = {graph_input("x", DataType::kFloat32, {1, 2, 3})};
  std::filesystem::create_directory(set.data("folder.bin"));
  ASSERT_EQ(::mkfifo(set.data("fifo.bin").c_str(), 0600), 0);
  for (const auto& [sample, kind] : {std::pair{std::string("folder.bin"), "is a directory"},
                                     std::pair{std::string("fifo.bin"), "is a FIFO"},
                                     std::pair{std::string("/dev/zero"), "is a device"}}) {
    set.write_list("s0.bin\n" + sample + "\n");
    expect_mentions(error_of([&] { CalibrationDataset(config, inputs, 1); }), ErrorCode::kFileIo, {"list.txt:2", kind});
  }
  std::filesystem::remove(set.dir() + "/list.txt");
  ASSERT_EQ(::mkfifo((set.dir() + "/list.txt").c_str(), 0600), 0);  // reading it would wait forever
  expect_mentions(error_of([&] { CalibrationDataset(config, inputs, 1); }), ErrorCode::kFileIo, {"list.txt", "is a FIFO"});
}

TEST(CalibrationDataset, DataFingerprintFollowsTheUsedFiles) {
  CalibrationSet set;
  write_five_samples(set);
  const std::vector<ValueInfo> inputs = {graph_input("x", DataType::kFloat32, {1, 2, 3})};
  const QuantConfig two_batches = set.config({data_input("x")}, 2);
  const std::string before = CalibrationDataset(two_batches, inputs, 1).data_fingerprint();
  EXPECT_EQ(before.size(), 64u);
  EXPECT_EQ(CalibrationDataset(two_batches, inputs, 1).data_fingerprint(), before);
  set.write_data("s4.bin", std::vector<float>(6, 7.0f));  // not among the two used samples
  EXPECT_EQ(CalibrationDataset(two_batches, inputs, 1).data_fingerprint(), before);
  set.write_data("s1.bin", std::vector<float>(6, 7.0f));  // regenerated: same size, other bytes
  EXPECT_NE(CalibrationDataset(two_batches, inputs, 1).data_fingerprint(), before);
}

TEST(CalibrationDatasetErrors, ListPathRelativeToListFolderGetsAHint) {
  CalibrationSet set;
  write_five_samples(set);
  set.write_list("data/s0.bin\n");  // as the seed's preparation script writes lists
  const Error e = error_of([&] {
    CalibrationDataset(set.config({data_input("x")}), {graph_input("x", DataType::kFloat32, {1, 2, 3})}, 1);
  });
  expect_mentions(e, ErrorCode::kFileIo,
                  {"list.txt:1", "relative to dataset_info.dataset_path", "exists relative to the list file's folder"});
}

TEST(CalibrationDatasetErrors, MissingListFileSuggestsDatasetFolder) {
  CalibrationSet set;
  write_five_samples(set);
  std::filesystem::rename(set.dir() + "/list.txt", set.data("list.txt"));
  const Error e = error_of([&] {
    CalibrationDataset(set.config({data_input("x")}), {graph_input("x", DataType::kFloat32, {1, 2, 3})}, 1);
  });
  expect_mentions(e, ErrorCode::kFileIo,
                  {"dataset_info.image_list_file: no such file", "did you mean " + set.data("list.txt")});
}

TEST(CalibrationDatasetErrors, ShortFileGivesExpectedAndFoundBytes) {
  CalibrationSet set;
  set.write_data<float>("short.bin", {1, 2, 3, 4, 5});
  set.write_list("short.bin\n");
  const Error e = error_of([&] {
    CalibrationDataset(set.config({data_input("x")}), {graph_input("x", DataType::kFloat32, {1, 2, 3})}, 1);
  });
  expect_mentions(e, ErrorCode::kInvalidData,
                  {"list.txt:1", set.data("short.bin"), "expected 24 bytes (1x2x3 FP32), the file has 20"});
}

TEST(CalibrationDatasetErrors, NanAndInfValuesAreRejected) {
  CalibrationSet set;
  set.write_data<float>("nan.bin", {1, 2, 3, std::numeric_limits<float>::quiet_NaN(), 5, 6});
  set.write_data<uint16_t>("inf.bin", {0, 0x7C00});  // FP16 +Inf
  set.write_list("nan.bin\n");
  CalibrationDataset nan_set(set.config({data_input("x")}), {graph_input("x", DataType::kFloat32, {1, 2, 3})}, 1);
  std::vector<Tensor> inputs;
  const Error nan = error_of([&] { nan_set.next_batch(inputs); });
  expect_mentions(nan, ErrorCode::kInvalidData, {"list.txt:1", set.data("nan.bin"), "element 3 is nan in the file"});

  set.write_list("inf.bin\n");
  CalibrationDataset inf_set(set.config({data_input("x", "FP16")}), {graph_input("x", DataType::kFloat32, {1, 2})}, 1);
  const Error inf = error_of([&] { inf_set.next_batch(inputs); });
  expect_mentions(inf, ErrorCode::kInvalidData, {set.data("inf.bin"), "element 1 is inf in the file"});

  set.write_data<float>("big.bin", {1.0f, 70000.0f});  // finite in FP32, beyond FP16's 65504
  set.write_list("big.bin\n");
  CalibrationDataset big_set(set.config({data_input("x")}), {graph_input("x", DataType::kFloat16, {1, 2})}, 1);
  const Error big = error_of([&] { big_set.next_batch(inputs); });
  expect_mentions(big, ErrorCode::kInvalidData, {"element 1 is inf after conversion to the model's float16"});
}

TEST(CalibrationDatasetErrors, ImageOverflowingFp16IsRejected) {
  CalibrationSet set;
  set.write_data<uint8_t>("r.bin", {255});
  set.write_list("r.bin\n");
  const json entry = {{"input_name", "img"}, {"input_type", "img"}, {"output_data_type", "FP16"}, {"std", "0.001"}};
  CalibrationDataset dataset(set.config({entry}), {graph_input("img", DataType::kFloat32, {1, 1, 1, 1})}, 1);
  std::vector<Tensor> inputs;
  const Error e = error_of([&] { dataset.next_batch(inputs); });
  expect_mentions(e, ErrorCode::kInvalidData, {"r.bin", "is inf after rounding to FP16"});
}

TEST(CalibrationDatasetErrors, UndecodableImageAndWrongRawImageSize) {
  CalibrationSet set;
  std::ofstream(set.data("bad.png")) << "not an image";
  set.write_data<uint8_t>("small.bin", {1, 2, 3});
  const json entry = {{"input_name", "img"}, {"input_type", "img"}};
  const std::vector<ValueInfo> inputs = {graph_input("img", DataType::kFloat32, {1, 3, 2, 2})};

  set.write_list("bad.png\n");
  CalibrationDataset dataset(set.config({entry}), inputs, 1);
  std::vector<Tensor> batch;
  const Error bad = error_of([&] { dataset.next_batch(batch); });
  expect_mentions(bad, ErrorCode::kInvalidData,
                  {"list.txt:1", set.data("bad.png"), "not a decodable PNG, JPEG or BMP"});

  set.write_list("small.bin\n");
  const Error small = error_of([&] { CalibrationDataset(set.config({entry}), inputs, 1); });
  expect_mentions(small, ErrorCode::kInvalidData,
                  {"small.bin", "expected 12 bytes (raw HWC uint8 2x2x3), the file has 3"});
}

TEST(CalibrationDatasetErrors, ConfigThatDoesNotFitTheModel) {
  CalibrationSet set;
  write_five_samples(set);
  const json img = {{"input_name", "x"}, {"input_type", "img"}, {"mean", "1,2"}};
  struct Case {
    std::vector<json> entries;
    std::vector<ValueInfo> graph;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{data_input("input")},
       {graph_input("inputs", DataType::kFloat32, {1, 6})},
       "input_name \"input\" is not an input of the model (inputs: inputs) (did you mean \"inputs\"?)"},
      {{data_input("x")},
       {graph_input("x", DataType::kFloat32, {1, 6}), graph_input("y", DataType::kFloat32, {1})},
       "model input 'y' has no entry in model_info.input_tensor_info"},
      {{data_input("x")},
       {graph_input("x", DataType::kFloat32, {4, 6})},
       "has batch dim 4, the calibration batch size is 1"},
      {{data_input("x")}, {graph_input("x", DataType::kFloat32, {1, -1})}, "dynamic dim 1"},
      {{data_input("x")}, {graph_input("x", DataType::kFloat32, {})}, "has no batch dim"},
      {{img}, {graph_input("x", DataType::kFloat32, {1, 3, 4})}, "must be a 4-D NCHW model input, its shape is 1x3x4"},
      {{img}, {graph_input("x", DataType::kFloat32, {1, 4, 2, 2})}, "has 4 channels"},
      {{img},
       {graph_input("x", DataType::kFloat32, {1, 3, 2, 2})},
       "mean has 2 values, the model input has 3 channel(s)"},
  };
  for (const Case& c : cases) {
    const Error e = error_of([&] { CalibrationDataset(set.config(c.entries), c.graph, 1); });
    expect_mentions(e, ErrorCode::kInvalidValue, {set.dir() + "/quant.json", c.message});
  }
}

}  // namespace
}  // namespace ptqc
