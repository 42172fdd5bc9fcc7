// Calibration list + sample files -> batches. The set has two inputs: "x", raw FP32 data
// 1x2x3, and "img", an image read as 1x3x8x8 NCHW. The input holds the files:
//   u16 n, n bytes: list.txt | u16 m, m bytes: a.bin | the rest: b.bin, a.png, a.jpg, a.bmp
// (u16 little-endian; b.bin is read as a raw HWC image, the others are decoded).
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <utility>

#include "fuzz_support.h"
#include "ptqc/calibration_dataset.h"
#include "ptqc/quant_config.h"

namespace {

std::filesystem::path g_dir;

void write(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ptqc::fuzz::initialize();
  // In memory when /dev/shm is there: every input writes six small files.
  std::string dir = ::access("/dev/shm", W_OK) == 0 ? "/dev/shm/ptqc_fuzz_calib_XXXXXX" : "/tmp/ptqc_fuzz_calib_XXXXXX";
  if (!::mkdtemp(dir.data())) std::abort();
  g_dir = dir;
  write(g_dir / "quant.json", R"({"dataset_info": {"dataset_path": ".", "image_list_file": "list.txt"},
    "model_info": {"input_tensor_info": [
      {"index": 0, "input_name": "x", "input_type": "data", "output_data_type": "FP32"},
      {"index": 1, "input_name": "img", "input_type": "img", "net_format": "NCHW", "mean": "0.5,0.5,0.5", "std": "0.25,0.25,0.25"}]},
    "quantize_info": {"calibration_batch_num": -1}})");
  return 0;
}

namespace {

/// The next length-prefixed piece of \p input (what is left when it is shorter).
std::string_view take_piece(std::string_view& input) {
  if (input.size() < 2) return std::exchange(input, std::string_view());
  const size_t n = std::min<size_t>(static_cast<uint8_t>(input[0]) | static_cast<uint8_t>(input[1]) << 8, input.size() - 2);
  const std::string_view piece = input.substr(2, n);
  input.remove_prefix(2 + n);
  return piece;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input = ptqc::fuzz::bytes_of(data, size);
  write(g_dir / "list.txt", take_piece(input));
  write(g_dir / "a.bin", take_piece(input));
  for (const char* name : {"b.bin", "a.png", "a.jpg", "a.bmp"}) write(g_dir / name, input);
  return ptqc::fuzz::expect_only_coded_errors([&] {
    const ptqc::QuantConfig config = ptqc::load_quant_config((g_dir / "quant.json").string());
    const std::vector<ptqc::ValueInfo> inputs = {{"x", ptqc::DataType::kFloat32, {1, 2, 3}, true, ptqc::DataType::kUndefined},
                                                 {"img", ptqc::DataType::kFloat32, {1, 3, 8, 8}, true, ptqc::DataType::kUndefined}};
    ptqc::CalibrationDataset dataset(config, inputs, 1);
    std::vector<ptqc::Tensor> batch;
    while (dataset.next_batch(batch)) {
    }
  });
}
