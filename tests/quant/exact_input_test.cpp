// Exact input quantization: an image input normalized as (p - mean) / std with one mean and
// std for all channels gets the pixel grid itself as its INT8 grid.

#include <gtest/gtest.h>

#include "ptqc/executor.h"
#include "ptqc/soc.h"
#include "quant/quantizer.h"
#include "quant_test_graphs.h"

using namespace ptqc;
using namespace ptqc::quant_testing;

namespace {

TEST(ExactInput, EveryPixelValueIsItsOwnCode) {
  // Calibration sees only dark pixels (up to 40): the calibrated range would cut the rest off.
  std::vector<Tensor> calibration;
  for (int p = 0; p <= 40; p += 8) calibration.push_back(Tensor::from_vector<float>({(p - 16.0f) / 58.0f}, {1, 1, 1, 1}));
  for (const bool exact : {false, true}) {
    Graph g = one_by_one_conv();
    QuantizeRequest request;
    request.soc = &find_soc("Ascend310P3");
    request.settings = [](const Node&) { return minmax_settings(); };
    request.batches = batches_of(calibration);
    request.bias_correction = false;
    if (exact) request.exact_ranges = {{"x", ActivationRange{(0.0f - 16.0f) / 58.0f, (255.0f - 16.0f) / 58.0f}}};
    quantize_graph(g, request);
    const auto quant = std::find_if(g.nodes.begin(), g.nodes.end(), [](const Node& n) { return n.op_type == "AscendQuant"; });
    ASSERT_NE(quant, g.nodes.end());
    std::vector<float> pixels;
    for (int p = 0; p <= 255; ++p) pixels.push_back((static_cast<float>(p) - 16.0f) / 58.0f);
    const Tensor x = Tensor::from_vector<float>(pixels, {256});
    const auto codes = evaluate_node(*quant, 13, {&x})[0].to_int64_vector();
    int distinct = 1;
    for (size_t p = 1; p < codes.size(); ++p) distinct += codes[p] != codes[p - 1];
    if (exact) {
      EXPECT_EQ(quant->attr_int("offset", 0), 16 - 128);
      for (int p = 0; p <= 255; ++p) EXPECT_EQ(codes[static_cast<size_t>(p)], p - 128) << "pixel " << p;
    } else {
      EXPECT_LT(distinct, 256);  // the calibrated range saturates the bright pixels
    }
  }
}

}  // namespace
