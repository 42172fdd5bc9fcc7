// Unit tests of Conv and ConvTranspose (src/runtime/kernels/conv.cpp): hand-computed
// cases, and every fast path against a convolution written straight from its definition.

#include <gtest/gtest.h>

#include <random>

#include "ptqc/error.h"
#include "ptqc/executor.h"
#include "support/kernel_test_util.h"

namespace ptqc {
namespace {

using kernel_test::error_of;
using kernel_test::int_attr;
using kernel_test::ints_attr;
using kernel_test::run_node;
using kernel_test::string_attr;
using kernel_test::values_of;

Tensor random_tensor(const Shape& shape, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  Tensor t(DataType::kFloat32, shape);
  for (float& v : t.values<float>()) v = dist(gen);
  return t;
}

/// A Conv or ConvTranspose problem: shapes and attributes (pads begin..., end...).
struct ConvSpec {
  ConvSpec(Shape x_shape, Shape w_shape, int64_t groups = 1, std::vector<int64_t> stride_values = {},
           std::vector<int64_t> dilation_values = {}, std::vector<int64_t> pad_values = {},
           std::vector<int64_t> output_padding_values = {}, bool with_bias = true)
      : x(std::move(x_shape)), w(std::move(w_shape)), group(groups), strides(std::move(stride_values)),
        dilations(std::move(dilation_values)), pads(std::move(pad_values)),
        output_padding(std::move(output_padding_values)), bias(with_bias) {}

  Shape x, w;
  int64_t group;
  std::vector<int64_t> strides, dilations, pads, output_padding;
  bool bias;

  int64_t rank() const { return static_cast<int64_t>(x.size()) - 2; }
  int64_t stride(int64_t d) const { return strides.empty() ? 1 : strides[d]; }
  int64_t dilation(int64_t d) const { return dilations.empty() ? 1 : dilations[d]; }
  int64_t pad_begin(int64_t d) const { return pads.empty() ? 0 : pads[d]; }
  int64_t pad_end(int64_t d) const { return pads.empty() ? 0 : pads[rank() + d]; }
  int64_t extent(int64_t d) const { return (w[2 + d] - 1) * dilation(d) + 1; }

  Node node(const std::string& op) const {
    Node node = kernel_test::make_node(op, bias ? 3 : 2);
    node.attrs["group"] = int_attr(group);
    if (!strides.empty()) node.attrs["strides"] = ints_attr(strides);
    if (!dilations.empty()) node.attrs["dilations"] = ints_attr(dilations);
    if (!pads.empty()) node.attrs["pads"] = ints_attr(pads);
    if (!output_padding.empty()) node.attrs["output_padding"] = ints_attr(output_padding);
    return node;
  }
};

/// Row-major index of \p idx (spatial) within a plane of \p dims.
int64_t plane_index(const std::vector<int64_t>& idx, const Shape& dims) {
  int64_t flat = 0;
  for (size_t d = 0; d < idx.size(); ++d) flat = flat * dims[d] + idx[d];
  return flat;
}

/// Calls fn(index) for every index of the box \p dims (odometer order).
template <class Fn>
void for_each_index(const Shape& dims, Fn&& fn) {
  std::vector<int64_t> idx(dims.size(), 0);
  if (shape_numel(dims) == 0) return;
  while (true) {
    fn(idx);
    size_t d = dims.size();
    while (d > 0 && ++idx[d - 1] == dims[d - 1]) idx[--d] = 0;
    if (d == 0) return;
  }
}

/// Conv straight from the definition: y[n, m, o] = b[m] + Σ w[m, c, k] · x[n, g·C/G + c, o·s - p + k·d].
Tensor naive_conv(const ConvSpec& s, const Tensor& x, const Tensor& w, const Tensor* b) {
  const int64_t r = s.rank(), groups = s.group, m_total = s.w[0], c_per = s.w[1];
  const Shape in(s.x.begin() + 2, s.x.end()), kernel(s.w.begin() + 2, s.w.end());
  Shape out;
  for (int64_t d = 0; d < r; ++d) out.push_back((in[d] + s.pad_begin(d) + s.pad_end(d) - s.extent(d)) / s.stride(d) + 1);
  Shape y_shape{s.x[0], m_total};
  y_shape.insert(y_shape.end(), out.begin(), out.end());
  Tensor y(DataType::kFloat32, y_shape);
  const int64_t in_size = shape_numel(in), out_size = shape_numel(out), k_size = shape_numel(kernel);
  for (int64_t n = 0; n < s.x[0]; ++n) {
    for (int64_t m = 0; m < m_total; ++m) {
      const int64_t g = m / (m_total / groups);
      for_each_index(out, [&](const std::vector<int64_t>& o) {
        double sum = b ? b->data<float>()[m] : 0.0;
        for (int64_t c = 0; c < c_per; ++c) {
          for_each_index(kernel, [&](const std::vector<int64_t>& k) {
            std::vector<int64_t> i(static_cast<size_t>(r));
            for (int64_t d = 0; d < r; ++d) {
              i[d] = o[d] * s.stride(d) - s.pad_begin(d) + k[d] * s.dilation(d);
              if (i[d] < 0 || i[d] >= in[d]) return;
            }
            sum += double(x.data<float>()[(n * s.x[1] + g * c_per + c) * in_size + plane_index(i, in)]) *
                   w.data<float>()[(m * c_per + c) * k_size + plane_index(k, kernel)];
          });
        }
        y.data<float>()[(n * m_total + m) * out_size + plane_index(o, out)] = static_cast<float>(sum);
      });
    }
  }
  return y;
}

/// Runs a spec through Conv with 1 and 3 threads: both must match the naive convolution,
/// and each other exactly.
void expect_conv_matches_naive(const ConvSpec& s, uint32_t seed) {
  const Tensor x = random_tensor(s.x, seed), w = random_tensor(s.w, seed + 1), b = random_tensor({s.w[0]}, seed + 2);
  const Tensor expected = naive_conv(s, x, w, s.bias ? &b : nullptr);
  std::vector<const Tensor*> inputs{&x, &w};
  if (s.bias) inputs.push_back(&b);
  const Tensor one = run_node(s.node("Conv"), 13, inputs, 1);
  const Tensor three = run_node(s.node("Conv"), 13, inputs, 3);
  ASSERT_EQ(one.shape(), expected.shape()) << shape_string(s.x) << " * " << shape_string(s.w);
  for (int64_t i = 0; i < expected.numel(); ++i) {
    ASSERT_NEAR(one.data<float>()[i], expected.data<float>()[i], 1e-4) << shape_string(s.x) << " * " << shape_string(s.w);
  }
  EXPECT_EQ(values_of<float>(one), values_of<float>(three));
}

TEST(ConvTest, HandComputedTwoByTwoSums) {
  const Tensor x = Tensor::from_vector<float>({0, 1, 2, 3, 4, 5, 6, 7, 8}, {1, 1, 3, 3});
  const Tensor w = Tensor::from_vector<float>({1, 1, 1, 1}, {1, 1, 2, 2});
  const Tensor b = Tensor::from_vector<float>({0.5f}, {1});
  ConvSpec s{{1, 1, 3, 3}, {1, 1, 2, 2}};
  kernel_test::expect_floats(run_node(s.node("Conv"), 13, {&x, &w, &b}), {1, 1, 2, 2}, {8.5f, 12.5f, 20.5f, 24.5f});
}

TEST(ConvTest, GemmPathsMatchDirectConvolution) {
  const ConvSpec specs[] = {
      {{2, 8, 9, 7}, {6, 8, 1, 1}},                                             // pointwise: plain GEMM
      {{1, 5, 11, 10}, {7, 5, 3, 3}, 1, {1, 1}, {}, {1, 1, 1, 1}},              // 3x3 same padding
      {{1, 4, 12, 13}, {6, 4, 3, 2}, 1, {2, 3}, {2, 1}, {0, 2, 1, 1}, {}, false},  // strides, dilations, asymmetric pads
      {{2, 6, 8, 8}, {4, 3, 3, 3}, 2, {1, 1}, {}, {1, 0, 1, 0}},                // two groups
      {{1, 3, 80, 80}, {5, 3, 3, 3}, 1, {1, 1}, {}, {1, 1, 1, 1}},              // several im2col tiles
      {{1, 64, 30, 30}, {3, 64, 1, 1}, 1, {2, 2}},                              // strided 1x1 goes through im2col
      {{2, 3, 17}, {4, 3, 5}, 1, {2}, {2}, {3, 1}},                             // 1-D
      {{1, 2, 5, 6, 7}, {3, 2, 2, 3, 2}, 1, {1, 2, 1}, {}, {1, 0, 1, 0, 1, 1}},  // 3-D
      {{1, 4, 4, 5, 6}, {4, 1, 3, 3, 3}, 4, {1, 1, 1}, {}, {1, 1, 1, 1, 1, 1}},  // 3-D depthwise (im2col per group)
  };
  uint32_t seed = 10;
  for (const ConvSpec& s : specs) expect_conv_matches_naive(s, seed += 3);
}

TEST(ConvTest, DepthwisePathMatchesDirectConvolution) {
  const ConvSpec specs[] = {
      {{2, 6, 10, 9}, {6, 1, 3, 3}, 6, {1, 1}, {}, {1, 1, 1, 1}},                 // plain depthwise
      {{1, 4, 13, 11}, {4, 1, 3, 3}, 4, {2, 2}, {}, {1, 1, 1, 1}},                // strided
      {{1, 3, 12, 14}, {6, 1, 5, 3}, 3, {1, 3}, {2, 1}, {2, 0, 3, 1}, {}, false},  // multiplier 2, dilation, asym pads
      {{1, 5, 40, 37}, {5, 1, 3, 3}, 5, {2, 1}, {1, 2}, {1, 2, 0, 2}},            // wide rows, several vector blocks
      {{1, 2, 1, 1}, {2, 1, 1, 1}, 2},                                            // 1x1 plane
      {{1, 3, 20}, {3, 1, 4}, 3, {3}, {}, {2, 1}},                                // 1-D
      {{1, 1, 9, 9}, {4, 1, 3, 3}, 1, {1, 1}, {}, {1, 1, 1, 1}},                  // one input channel, group 1
  };
  uint32_t seed = 50;
  for (const ConvSpec& s : specs) expect_conv_matches_naive(s, seed += 3);
}

TEST(ConvTest, ComputesFloat64) {
  for (const ConvSpec& s : {ConvSpec{{1, 4, 9, 8}, {4, 1, 3, 3}, 4, {1, 1}, {}, {1, 1, 1, 1}},
                            ConvSpec{{1, 3, 7, 6}, {2, 3, 3, 3}, 1, {2, 1}}}) {
    const Tensor x = random_tensor(s.x, 30), w = random_tensor(s.w, 31), b = random_tensor({s.w[0]}, 32);
    const Tensor expected = naive_conv(s, x, w, &b);
    const Tensor xd = cast_tensor(x, DataType::kFloat64), wd = cast_tensor(w, DataType::kFloat64);
    const Tensor bd = cast_tensor(b, DataType::kFloat64);
    const Tensor y = run_node(s.node("Conv"), 13, {&xd, &wd, &bd});
    ASSERT_EQ(y.dtype(), DataType::kFloat64);
    ASSERT_EQ(y.shape(), expected.shape());
    for (int64_t i = 0; i < y.numel(); ++i) ASSERT_NEAR(y.data<double>()[i], expected.data<float>()[i], 1e-5);
  }
}

TEST(ConvTest, AutoPadMatchesExplicitPads) {
  struct Case {
    std::string auto_pad;
    std::vector<int64_t> kernel, strides, pads;  // pads: what auto_pad must amount to
  };
  const Case cases[] = {{"SAME_UPPER", {2, 2}, {1, 1}, {0, 0, 1, 1}},
                        {"SAME_LOWER", {2, 2}, {1, 1}, {1, 1, 0, 0}},
                        {"SAME_UPPER", {3, 3}, {2, 2}, {1, 1, 1, 1}},
                        {"VALID", {2, 3}, {1, 2}, {0, 0, 0, 0}}};
  for (const Case& c : cases) {
    ConvSpec explicit_spec{{1, 2, 5, 5}, {3, 2, c.kernel[0], c.kernel[1]}, 1, c.strides, {}, c.pads};
    const Tensor x = random_tensor(explicit_spec.x, 1), w = random_tensor(explicit_spec.w, 2);
    const Tensor b = random_tensor({3}, 3);
    const Tensor expected = naive_conv(explicit_spec, x, w, &b);
    Node node = explicit_spec.node("Conv");
    node.attrs.erase("pads");
    node.attrs["auto_pad"] = string_attr(c.auto_pad);
    const Tensor y = run_node(node, 11, {&x, &w, &b});
    ASSERT_EQ(y.shape(), expected.shape()) << c.auto_pad;
    for (int64_t i = 0; i < y.numel(); ++i) ASSERT_NEAR(y.data<float>()[i], expected.data<float>()[i], 1e-5) << c.auto_pad;
  }
}

TEST(ConvTest, RejectsMalformedNodes) {
  const Tensor x(DataType::kFloat32, {1, 4, 5, 5});
  const Tensor w_bad_channels(DataType::kFloat32, {2, 3, 3, 3});
  ConvSpec s{{1, 4, 5, 5}, {2, 3, 3, 3}};
  s.bias = false;
  EXPECT_EQ(error_of(s.node("Conv"), 13, {&x, &w_bad_channels}), ErrorCode::kInvalidModel);
  const Tensor w(DataType::kFloat32, {2, 4, 3, 3}), short_bias(DataType::kFloat32, {1});
  ConvSpec with_bias{{1, 4, 5, 5}, {2, 4, 3, 3}};
  EXPECT_EQ(error_of(with_bias.node("Conv"), 13, {&x, &w, &short_bias}), ErrorCode::kInvalidModel);
  ConvSpec too_big{{1, 4, 5, 5}, {2, 4, 3, 3}, 1, {}, {4, 4}};  // dilated kernel spans 9 > 5
  too_big.bias = false;
  EXPECT_EQ(error_of(too_big.node("Conv"), 13, {&x, &w}), ErrorCode::kInvalidModel);
  const Tensor x4d(DataType::kFloat32, {1, 1, 2, 2, 2, 2}), w4d(DataType::kFloat32, {1, 1, 1, 1, 1, 1});
  ConvSpec four_d{{1, 1, 2, 2, 2, 2}, {1, 1, 1, 1, 1, 1}};
  four_d.bias = false;
  EXPECT_EQ(error_of(four_d.node("Conv"), 13, {&x4d, &w4d}), ErrorCode::kUnsupportedOp);
}

/// ConvTranspose from the definition: each x[n, c, i] · w[c, m, k] lands on y[n, g·M/G + m, i·s - p + k·d].
Tensor naive_conv_transpose(const ConvSpec& s, const Tensor& x, const Tensor& w, const Tensor* b, const Shape& out) {
  const int64_t r = s.rank(), c_total = s.x[1], c_per = c_total / s.group, m_per = s.w[1];
  const Shape in(s.x.begin() + 2, s.x.end()), kernel(s.w.begin() + 2, s.w.end());
  Shape y_shape{s.x[0], m_per * s.group};
  y_shape.insert(y_shape.end(), out.begin(), out.end());
  Tensor y(DataType::kFloat32, y_shape);
  const int64_t in_size = shape_numel(in), out_size = shape_numel(out), k_size = shape_numel(kernel);
  std::vector<double> acc(static_cast<size_t>(y.numel()), 0.0);
  for (int64_t n = 0; n < s.x[0]; ++n) {
    for (int64_t c = 0; c < c_total; ++c) {
      const int64_t g = c / c_per;
      for (int64_t m = 0; m < m_per; ++m) {
        for_each_index(in, [&](const std::vector<int64_t>& i) {
          for_each_index(kernel, [&](const std::vector<int64_t>& k) {
            std::vector<int64_t> o(static_cast<size_t>(r));
            for (int64_t d = 0; d < r; ++d) {
              o[d] = i[d] * s.stride(d) - s.pad_begin(d) + k[d] * s.dilation(d);
              if (o[d] < 0 || o[d] >= out[d]) return;
            }
            acc[static_cast<size_t>((n * y_shape[1] + g * m_per + m) * out_size + plane_index(o, out))] +=
                double(x.data<float>()[(n * c_total + c) * in_size + plane_index(i, in)]) *
                w.data<float>()[(c * m_per + m) * k_size + plane_index(k, kernel)];
          });
        });
      }
    }
  }
  for (int64_t i = 0; i < y.numel(); ++i) {
    y.data<float>()[i] = static_cast<float>(acc[static_cast<size_t>(i)] + (b ? b->data<float>()[i / out_size % y_shape[1]] : 0.0));
  }
  return y;
}

TEST(ConvTransposeTest, HandComputedOneDimensional) {
  // x = [1, 2, 3], kernel [1, 1, 1], stride 2: y[2i + k] += x[i].
  const Tensor x = Tensor::from_vector<float>({1, 2, 3}, {1, 1, 3});
  const Tensor w = Tensor::from_vector<float>({1, 1, 1}, {1, 1, 3});
  ConvSpec s{{1, 1, 3}, {1, 1, 3}, 1, {2}};
  s.bias = false;
  kernel_test::expect_floats(run_node(s.node("ConvTranspose"), 11, {&x, &w}), {1, 1, 7}, {1, 1, 3, 2, 5, 3, 3});
}

TEST(ConvTransposeTest, MatchesScatterDefinition) {
  const ConvSpec specs[] = {
      {{1, 3, 4, 5}, {3, 2, 3, 3}, 1, {2, 2}, {}, {1, 1, 1, 1}, {1, 1}},
      {{2, 4, 3, 3}, {4, 3, 2, 3}, 2, {1, 2}, {2, 1}, {0, 1, 1, 0}},
      {{1, 2, 6}, {2, 3, 4}, 1, {3}, {}, {}, {2}, false},
      {{1, 2, 2, 3, 2}, {2, 1, 2, 2, 3}, 2, {2, 1, 2}, {}, {0, 0, 1, 1, 0, 0}},
  };
  uint32_t seed = 90;
  for (const ConvSpec& s : specs) {
    const Tensor x = random_tensor(s.x, seed), w = random_tensor(s.w, seed + 1);
    const Tensor b = random_tensor({s.w[1] * s.group}, seed + 2);
    seed += 3;
    Shape out;
    for (int64_t d = 0; d < s.rank(); ++d) {
      const int64_t op = s.output_padding.empty() ? 0 : s.output_padding[d];
      out.push_back(s.stride(d) * (s.x[2 + d] - 1) + op + s.extent(d) - s.pad_begin(d) - s.pad_end(d));
    }
    const Tensor expected = naive_conv_transpose(s, x, w, s.bias ? &b : nullptr, out);
    std::vector<const Tensor*> inputs{&x, &w};
    if (s.bias) inputs.push_back(&b);
    const Tensor one = run_node(s.node("ConvTranspose"), 13, inputs, 1);
    const Tensor two = run_node(s.node("ConvTranspose"), 13, inputs, 2);
    ASSERT_EQ(one.shape(), expected.shape());
    for (int64_t i = 0; i < one.numel(); ++i) ASSERT_NEAR(one.data<float>()[i], expected.data<float>()[i], 1e-5);
    EXPECT_EQ(values_of<float>(one), values_of<float>(two));
  }
}

TEST(ConvTransposeTest, OutputShapeAndSameUpperDerivePads) {
  ConvSpec s{{1, 1, 3, 3}, {1, 2, 3, 3}, 1, {2, 2}};
  s.bias = false;
  const Tensor x = random_tensor(s.x, 5), w = random_tensor(s.w, 6);
  // Full output 7x7; asking for 6x6 leaves one unit of padding: at the end for SAME_UPPER,
  // at the beginning for an explicit output_shape (NOTSET).
  Node same = s.node("ConvTranspose");
  same.attrs["auto_pad"] = string_attr("SAME_UPPER");
  Node shaped = s.node("ConvTranspose");
  shaped.attrs["output_shape"] = ints_attr({6, 6});
  ConvSpec upper = s, lower = s;
  upper.pads = {0, 0, 1, 1};
  lower.pads = {1, 1, 0, 0};
  const std::pair<const Node*, const ConvSpec*> cases[] = {{&same, &upper}, {&shaped, &lower}};
  for (const auto& [node, padded] : cases) {
    const Tensor y = run_node(*node, 11, {&x, &w});
    const Tensor expected = naive_conv_transpose(*padded, x, w, nullptr, {6, 6});
    ASSERT_EQ(y.shape(), (Shape{1, 2, 6, 6}));
    for (int64_t i = 0; i < y.numel(); ++i) ASSERT_NEAR(y.data<float>()[i], expected.data<float>()[i], 1e-5);
  }
}

TEST(ConvTransposeTest, RejectsChannelMismatch) {
  const Tensor x(DataType::kFloat32, {1, 3, 4, 4}), w(DataType::kFloat32, {2, 2, 3, 3});
  ConvSpec s{{1, 3, 4, 4}, {2, 2, 3, 3}};
  s.bias = false;
  EXPECT_EQ(error_of(s.node("ConvTranspose"), 13, {&x, &w}), ErrorCode::kInvalidModel);
}

}  // namespace
}  // namespace ptqc
