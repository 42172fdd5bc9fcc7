#pragma once
// A quantized .om of tests/models/paddle_style (Conv -> hard-swish -> Conv -> AveragePool),
// compiled once per test process with the built `ptqc`, plus test samples for ptqc-compare.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "support/test_models.h"

namespace ptqc::testing_support {

struct QuantizedPaddle {
  std::string dir;
  std::string model = std::string(PTQC_SOURCE_DIR) + "/tests/models/paddle_style/model.onnx";
  std::string om;          ///< dir/p.om
  std::string record_dir;  ///< dir/record (record.txt, quant_record.json)
  std::string test_list;   ///< dir/test/list.txt: 4 samples
};

/// Writes \p count random 1x3x16x16 float32 samples (uniform in [0, 1)) as DIR/<stem><i>.bin and
/// DIR/list.txt naming them.
inline void write_samples(const std::string& dir, const std::string& stem, int count, unsigned seed) {
  std::filesystem::create_directories(dir);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  std::ofstream list(dir + "/list.txt");
  for (int i = 0; i < count; ++i) {
    std::vector<float> v(3 * 16 * 16);
    for (float& x : v) x = u(rng);
    const std::string name = stem + std::to_string(i) + ".bin";
    std::ofstream(dir + "/" + name, std::ios::binary)
        .write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size() * 4));
    list << name << "\n";
  }
}

/// The shared quantized model (compiled on first use; a failed compile fails the calling test).
inline const QuantizedPaddle& quantized_paddle() {
  static const QuantizedPaddle model = [] {
    QuantizedPaddle m;
    m.dir = temp_dir("cmp_paddle");
    m.om = m.dir + "/p.om";
    m.record_dir = m.dir + "/record";
    m.test_list = m.dir + "/test/list.txt";
    write_samples(m.dir + "/calib", "s", 6, 3);
    write_samples(m.dir + "/test", "t", 4, 11);
    std::ofstream(m.dir + "/quant.json") << R"({"dataset_info": {"dataset_name": "set", "dataset_path": "./calib",
      "image_list_file": "calib/list.txt", "out_file_path": "./record"},
      "model_info": {"input_tensor_info": [{"index": 0, "input_name": "x", "input_type": "data",
        "net_format": "NCHW", "output_data_type": "FP32", "mean": "0.0,0.0,0.0", "std": "1.0,1.0,1.0"}]},
      "quantize_info": {"quant_mode": "static_ptq", "calibration_batch_num": -1}})";
    const ToolResult r = run_tool("ptqc", "--model=" + m.model + " --framework=5 --output=" + m.dir +
                                              "/p --soc_version=Ascend310P3 --input_shape=x:1,3,16,16"
                                              " --enable_quantization=true --quantization_config=" + m.dir + "/quant.json");
    EXPECT_EQ(r.status, 0) << r.output;
    return m;
  }();
  return model;
}

}  // namespace ptqc::testing_support
