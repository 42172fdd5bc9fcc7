// Unit tests of AscendQuant, AscendDequant and AscendRequant (src/runtime/kernels/int8/quant*.cpp).

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "int8_test_util.h"
#include "ptqc/error.h"
#include "ptqc/executor.h"
#include "runtime/kernels/int8/quantize.h"

namespace ptqc {
namespace {

using int8_test::ptqc_node;
using kernel_test::float_attr;
using kernel_test::floats_attr;
using kernel_test::int_attr;
using kernel_test::values_of;

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

std::vector<int8_t> quantized(const std::vector<float>& x, float scale, int64_t offset) {
  const Tensor t = Tensor::from_vector(x, {static_cast<int64_t>(x.size())});
  const Node node = ptqc_node("AscendQuant", 1, {{"scale", float_attr(scale)}, {"offset", int_attr(offset)}});
  return values_of<int8_t>(kernel_test::run_node(node, 21, {&t}));
}

TEST(AscendQuantTest, RoundsHalfToEvenAndSaturates) {
  EXPECT_EQ(
      quantized({0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 126.5f, 127.5f, 128.6f, -129.0f, 1e30f, -kInf, kInf, kNaN},
                1.0f, 0),
      (std::vector<int8_t>{0, 2, 2, 0, -2, -2, 126, 127, 127, -128, 127, -128, 127, 0}));
  // x · 2 rounded, then + 3: the offset is added after rounding; NaN gives the offset.
  EXPECT_EQ(quantized({0.25f, 0.75f, kNaN, -70.0f, 62.0f, 62.5f, 0.0f}, 2.0f, 3),
            (std::vector<int8_t>{3, 5, 3, -128, 127, 127, 3}));
}

TEST(AscendDequantTest, PerTensorAndPerChannel) {
  const Tensor acc = Tensor::from_vector<int32_t>({10, -3}, {2});
  const Node per_tensor = ptqc_node("AscendDequant", 1, {{"deq_scale", floats_attr({0.5f})}, {"offset", int_attr(2)}});
  kernel_test::expect_floats(kernel_test::run_node(per_tensor, 21, {&acc}), {2}, {4.0f, -2.5f}, 0.0f);
  const Tensor codes = Tensor::from_vector<int8_t>({-128, 127}, {2});
  const Node from_int8 =
      ptqc_node("AscendDequant", 1, {{"deq_scale", floats_attr({0.25f})}, {"offset", int_attr(-128)}});
  kernel_test::expect_floats(kernel_test::run_node(from_int8, 21, {&codes}), {2}, {0.0f, 63.75f}, 0.0f);
  // Channels on axis 1 of [1, 2, 2]: each channel is a run of two elements.
  const Tensor planes = Tensor::from_vector<int32_t>({1, 2, 3, 4}, {1, 2, 2});
  const Node per_channel = ptqc_node("AscendDequant", 1, {{"deq_scale", floats_attr({1.0f, 2.0f})}});
  kernel_test::expect_floats(kernel_test::run_node(per_channel, 21, {&planes}), {1, 2, 2}, {1, 2, 6, 8}, 0.0f);
  // x - offset is exact: INT32_MIN - 127 rounds once, to -2^31.
  const Tensor extreme = Tensor::from_vector<int32_t>({std::numeric_limits<int32_t>::min()}, {1});
  const Node shifted = ptqc_node("AscendDequant", 1, {{"deq_scale", floats_attr({1.0f})}, {"offset", int_attr(127)}});
  kernel_test::expect_floats(kernel_test::run_node(shifted, 21, {&extreme}), {1}, {-2147483648.0f}, 0.0f);
}

TEST(AscendRequantTest, RoundsInDoubleAndClipsAtTheOffsetWithRelu) {
  const Tensor acc = Tensor::from_vector<int32_t>(
      {-1000, 0, 5, 7, 1000, std::numeric_limits<int32_t>::max(), std::numeric_limits<int32_t>::min()}, {7});
  std::map<std::string, Attribute> attrs{{"req_scale", floats_attr({0.5f})}, {"offset", int_attr(-10)}};
  EXPECT_EQ(values_of<int8_t>(kernel_test::run_node(ptqc_node("AscendRequant", 1, attrs), 21, {&acc})),
            (std::vector<int8_t>{-128, -10, -8, -6, 127, 127, -128}));
  attrs["relu"] = int_attr(1);
  EXPECT_EQ(values_of<int8_t>(kernel_test::run_node(ptqc_node("AscendRequant", 1, attrs), 21, {&acc})),
            (std::vector<int8_t>{-10, -10, -8, -6, 127, 127, -10}));
}

TEST(AscendRequantTest, ChannelsOnAnyAxis) {
  // Channels innermost (axis -1): one scale per element of each row.
  const Tensor rows = Tensor::from_vector<int32_t>({3, 3, -6, 10}, {2, 2});
  const Node last = ptqc_node("AscendRequant", 1, {{"req_scale", floats_attr({1.0f, 0.25f})}, {"axis", int_attr(-1)}});
  EXPECT_EQ(values_of<int8_t>(kernel_test::run_node(last, 21, {&rows})), (std::vector<int8_t>{3, 1, -6, 2}));
  // Channels outermost (axis 0): one scale per row.
  const Tensor cols = Tensor::from_vector<int32_t>({1, 2, 3, 4, 5, 6}, {2, 3});
  const Node first = ptqc_node("AscendRequant", 1, {{"req_scale", floats_attr({1.0f, 0.5f})}, {"axis", int_attr(0)}});
  EXPECT_EQ(values_of<int8_t>(kernel_test::run_node(first, 21, {&cols})), (std::vector<int8_t>{1, 2, 3, 2, 2, 3}));
}

/// Random float32 values of every kind: ordinary, near ties, huge, subnormal, ±0, ±inf, NaN.
std::vector<float> awkward_floats(std::mt19937& rng, size_t n) {
  std::uniform_real_distribution<float> ordinary(-300.0f, 300.0f);
  std::uniform_int_distribution<int> kind(0, 9), tie(-300, 300);
  std::uniform_int_distribution<uint32_t> bits;
  std::vector<float> v(n);
  for (float& x : v) {
    switch (kind(rng)) {
      case 0:
        x = static_cast<float>(tie(rng)) + 0.5f;
        break;
      case 1:
        x = kNaN;
        break;
      case 2:
        x = kind(rng) % 2 ? kInf : -kInf;
        break;
      case 3: {
        const uint32_t b = bits(rng);
        std::memcpy(&x, &b, sizeof(x));
        break;
      }
      case 4:
        x = kind(rng) % 2 ? 0.0f : -0.0f;
        break;
      default:
        x = ordinary(rng);
    }
  }
  return v;
}

TEST(QuantizeSpanTest, EveryPathMatchesTheFormulas) {
  std::mt19937 rng(13);
  std::uniform_real_distribution<float> scale_dist(0.001f, 4.0f);
  std::uniform_int_distribution<int32_t> acc_dist(std::numeric_limits<int32_t>::min(),
                                                  std::numeric_limits<int32_t>::max());
  std::uniform_int_distribution<int32_t> small_dist(-3000, 3000);
  for (size_t n : {1u, 7u, 16u, 17u, 100u, 1000u}) {
    for (int32_t offset : int8_test::kOffsets) {
      const std::vector<float> x = awkward_floats(rng, n);
      std::vector<float> scales(n);
      for (float& s : scales) s = scale_dist(rng);
      std::vector<int32_t> acc(n);
      // Odd blocks of 16 (one AVX-512 vector) hold values from the whole int32 range, even ones
      // small values, and block 2 the ends of the short route (|acc| just below 2^31 - 256).
      for (size_t i = 0; i < n; ++i) acc[i] = i / 16 % 2 ? acc_dist(rng) : small_dist(rng);
      for (size_t i = 32; i < std::min<size_t>(n, 48); ++i) {
        acc[i] = (i % 2 ? 1 : -1) * (std::numeric_limits<int32_t>::max() - 257 - static_cast<int32_t>(i % 4));
      }
      // Block 3 starts with values next to the int32 ends, where acc - offset leaves int32.
      const int32_t ends[] = {std::numeric_limits<int32_t>::max() - 1, std::numeric_limits<int32_t>::min() + 1,
                              std::numeric_limits<int32_t>::max() - 3, std::numeric_limits<int32_t>::min() + 2};
      for (size_t i = 48; i < std::min<size_t>(n, 56); ++i) acc[i] = ends[i % 4];
      std::vector<int8_t> codes(n);
      for (size_t i = 0; i < n; ++i) codes[i] = static_cast<int8_t>(acc[i]);
      const int32_t lower = offset == -3 ? -3 : -128;  // a fused ReLU on one of the offsets
      for (int64_t step : {0, 1}) {
        const ScaleRun run{scales.data(), step};
        std::vector<int8_t> q_ref(n), r_ref(n);
        std::vector<float> d_ref(n), d8_ref(n);
        for (size_t i = 0; i < n; ++i) {
          const float s = scales[i * static_cast<size_t>(step)];
          q_ref[i] = quantize_value(x[i], s, offset);
          d_ref[i] = dequantize_value(acc[i], offset, s);
          d8_ref[i] = dequantize_value(codes[i], offset, s);
          r_ref[i] = requantize_value(acc[i], s, offset, lower);
        }
        for (Int8Isa isa : runnable_int8_isas()) {
          std::vector<int8_t> q(n), r(n);
          std::vector<float> d(n), d8(n);
          if (step == 0) {
            quantize_span(isa, x.data(), static_cast<int64_t>(n), scales[0], offset, q.data());
            EXPECT_EQ(q, q_ref) << int8_isa_name(isa) << " n=" << n;
          }
          dequantize_span(isa, acc.data(), static_cast<int64_t>(n), offset, run, d.data());
          dequantize_span(isa, codes.data(), static_cast<int64_t>(n), offset, run, d8.data());
          requantize_span(isa, acc.data(), static_cast<int64_t>(n), run, offset, lower, r.data());
          EXPECT_EQ(0, std::memcmp(d.data(), d_ref.data(), n * sizeof(float))) << int8_isa_name(isa) << " n=" << n;
          EXPECT_EQ(0, std::memcmp(d8.data(), d8_ref.data(), n * sizeof(float))) << int8_isa_name(isa) << " n=" << n;
          EXPECT_EQ(r, r_ref) << int8_isa_name(isa) << " n=" << n << " step=" << step;
        }
      }
    }
  }
}

TEST(AscendQuantTest, RejectsMalformedNodes) {
  const Tensor x = Tensor::from_vector<float>({1, 2}, {2});
  const Tensor acc = Tensor::from_vector<int32_t>({1, 2, 3, 4, 5, 6}, {2, 3});
  const auto code = [](const Node& node, const Tensor& in) { return kernel_test::error_of(node, 21, {&in}); };
  EXPECT_EQ(code(ptqc_node("AscendQuant", 1), x), ErrorCode::kInvalidModel);  // no scale
  EXPECT_EQ(code(ptqc_node("AscendQuant", 1, {{"scale", float_attr(0.0f)}}), x), ErrorCode::kInvalidModel);
  EXPECT_EQ(code(ptqc_node("AscendQuant", 1, {{"scale", float_attr(kInf)}}), x), ErrorCode::kInvalidModel);
  EXPECT_EQ(code(ptqc_node("AscendQuant", 1, {{"scale", float_attr(1.0f)}, {"offset", int_attr(128)}}), x),
            ErrorCode::kInvalidModel);
  EXPECT_EQ(code(ptqc_node("AscendQuant", 1, {{"scale", float_attr(1.0f)}}), acc), ErrorCode::kInvalidModel);
  EXPECT_EQ(code(ptqc_node("AscendDequant", 1), acc), ErrorCode::kInvalidModel);  // no deq_scale
  EXPECT_EQ(code(ptqc_node("AscendDequant", 1, {{"deq_scale", floats_attr({1, 2, 3, 4})}}), acc),
            ErrorCode::kInvalidModel);
  EXPECT_EQ(code(ptqc_node("AscendDequant", 1, {{"deq_scale", floats_attr({1})}}), x), ErrorCode::kInvalidModel);
  EXPECT_EQ(code(ptqc_node("AscendDequant", 1, {{"deq_scale", floats_attr({kNaN})}}), acc), ErrorCode::kInvalidModel);
  EXPECT_EQ(code(ptqc_node("AscendRequant", 1, {{"req_scale", floats_attr({1, 2})}, {"axis", int_attr(5)}}), acc),
            ErrorCode::kInvalidModel);
  EXPECT_EQ(code(ptqc_node("AscendRequant", 1, {{"req_scale", floats_attr({1})}, {"relu", int_attr(2)}}), acc),
            ErrorCode::kInvalidModel);
  EXPECT_EQ(code(ptqc_node("AscendRequant", 1, {{"req_scale", floats_attr({1})}}), x), ErrorCode::kInvalidModel);
}

}  // namespace
}  // namespace ptqc
