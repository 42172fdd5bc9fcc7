/// \file
/// Activation kernels: the ReLU family, the sigmoid/tanh family, GELU, Mish and
/// Clip. Each is an elementwise map computed in the input's float type (Relu,
/// PRelu and Clip also take integer types).

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>

#include <Eigen/Core>

#include "runtime/kernels/activation_span.h"
#include "runtime/kernels/elementwise_util.h"
#include "runtime/op_registry.h"

namespace ptqc {

namespace {

/// ELU: x for x > 0, alpha * (e^x - 1) otherwise.
template <class T> T elu(T x, T alpha) { return x > 0 ? x : alpha * std::expm1(x); }

/// Logistic sigmoid 1 / (1 + e^-x). For very negative x, e^-x overflows to inf
/// and the quotient is the correct limit 0.
template <class T> T sigmoid(T x) { return T{1} / (T{1} + std::exp(-x)); }

/// Softplus ln(1 + e^x), evaluated as max(x, 0) + ln(1 + e^-|x|) so that e^x cannot overflow.
template <class T> T softplus(T x) { return std::max(x, T{0}) + std::log1p(std::exp(-std::abs(x))); }

/// HardSigmoid: max(0, min(1, alpha * x + beta)).
template <class T> T hard_sigmoid(T x, T alpha, T beta) { return std::max(T{0}, std::min(T{1}, alpha * x + beta)); }

/// Relu: max(x, 0) for every numeric type (NaN stays NaN).
void relu_kernel(OpContext& ctx) {
  map_numeric_input(ctx, []<class T>(T x) { return x < T{0} ? T{0} : x; });
}

/// LeakyRelu: x for x >= 0, alpha * x otherwise (alpha defaults to 0.01).
void leaky_relu_kernel(OpContext& ctx) {
  const float alpha = ctx.node().attr_float("alpha", 0.01f);
  map_float_input(ctx, [alpha]<class T>(T x) { return x >= 0 ? x : static_cast<T>(alpha) * x; });
}

/// PRelu: x for x >= 0, slope * x otherwise, where slope broadcasts to x's shape
/// (unidirectionally: the output always has x's shape).
void prelu_kernel(OpContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Tensor& slope = ctx.input(1);
  if (slope.dtype() != x.dtype()) ctx.fail("slope must have the element type of X (" + dtype_name(x.dtype()) + ")");
  if (broadcast_shapes(ctx, x.shape(), slope.shape()) != x.shape()) {
    ctx.fail("slope of shape " + shape_string(slope.shape()) + " does not broadcast to X's shape " +
             shape_string(x.shape()));
  }
  dispatch_numeric(ctx, x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    broadcast_output<T, T>(ctx, x, slope, [](T v, T a) { return v < T{0} ? static_cast<T>(a * v) : v; });
  });
}

/// Elu: elu(x, alpha), alpha defaults to 1.
void elu_kernel(OpContext& ctx) {
  const float alpha = ctx.node().attr_float("alpha", 1.0f);
  map_float_input(ctx, [alpha]<class T>(T x) { return elu(x, static_cast<T>(alpha)); });
}

/// Selu: gamma * elu(x, alpha) with the self-normalising defaults
/// alpha = 1.67326319..., gamma = 1.05070102...
void selu_kernel(OpContext& ctx) {
  const float alpha = ctx.node().attr_float("alpha", 1.67326319217681884765625f);
  const float gamma = ctx.node().attr_float("gamma", 1.05070102214813232421875f);
  map_float_input(ctx, [alpha, gamma]<class T>(T x) { return static_cast<T>(gamma) * elu(x, static_cast<T>(alpha)); });
}

/// Celu: max(0, x) + min(0, alpha * (e^(x / alpha) - 1)), alpha defaults to 1.
void celu_kernel(OpContext& ctx) {
  const float alpha = ctx.node().attr_float("alpha", 1.0f);
  if (alpha == 0.0f) ctx.fail("alpha must not be 0");
  map_float_input(ctx, [alpha]<class T>(T x) {
    const T a = static_cast<T>(alpha);
    return std::max(T{0}, x) + std::min(T{0}, a * std::expm1(x / a));
  });
}

/// Gelu: x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)); with approximate = "tanh",
/// 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))).
void gelu_kernel(OpContext& ctx) {
  const std::string approximate = ctx.node().attr_string("approximate", "none");
  if (approximate == "none") {
    map_float_input(ctx, []<class T>(T x) { return T{0.5} * x * (T{1} + std::erf(x * std::numbers::sqrt2_v<T> / T{2})); });
  } else if (approximate == "tanh") {
    map_float_input(ctx, []<class T>(T x) {
      const T k = std::numbers::sqrt2_v<T> * std::numbers::inv_sqrtpi_v<T>;  // sqrt(2 / pi)
      return T{0.5} * x * (T{1} + std::tanh(k * (x + T{0.044715} * x * x * x)));
    });
  } else {
    ctx.fail("approximate must be 'none' or 'tanh', got '" + approximate + "'");
  }
}

/// Softsign: x / (1 + |x|).
void softsign_kernel(OpContext& ctx) {
  map_float_input(ctx, []<class T>(T x) { return x / (T{1} + std::abs(x)); });
}

/// HardSigmoid: hard_sigmoid(x, alpha, beta), defaults alpha = 0.2, beta = 0.5.
void hard_sigmoid_kernel(OpContext& ctx) {
  const float alpha = ctx.node().attr_float("alpha", 0.2f);
  const float beta = ctx.node().attr_float("beta", 0.5f);
  map_float_input(ctx, [alpha, beta]<class T>(T x) {
    return hard_sigmoid(x, static_cast<T>(alpha), static_cast<T>(beta));
  });
}

/// HardSwish: x * hard_sigmoid(x, 1/6, 1/2).
void hard_swish_kernel(OpContext& ctx) {
  map_float_span(ctx, &hard_swish_span, []<class T>(T x) { return x * hard_sigmoid(x, T{1} / T{6}, T{0.5}); });
}

/// ThresholdedRelu: x for x > alpha, 0 otherwise (alpha defaults to 1).
void thresholded_relu_kernel(OpContext& ctx) {
  const float alpha = ctx.node().attr_float("alpha", 1.0f);
  map_float_input(ctx, [alpha]<class T>(T x) { return x > static_cast<T>(alpha) ? x : T{0}; });
}

/// Mish: x * tanh(softplus(x)).
void mish_kernel(OpContext& ctx) {
  map_float_input(ctx, [](auto x) { return x * std::tanh(softplus(x)); });
}

/// A Clip bound from opset 11 on: input \p i, a one-element tensor of X's type, or
/// \p fallback when absent.
template <class T>
T clip_bound(const OpContext& ctx, size_t i, T fallback) {
  const Tensor* bound = ctx.optional_input(i);
  if (!bound) return fallback;
  if (bound->dtype() != ctx.input(0).dtype()) ctx.fail("min/max must have the element type of the input");
  if (bound->numel() != 1) ctx.fail("min/max must be scalars, got shape " + shape_string(bound->shape()));
  return bound->data<T>()[0];
}

/// Clip: min(max(x, lo), hi), so lo > hi gives hi everywhere. Before opset 11 the
/// bounds are the float attributes min/max, from 11 optional scalar inputs; an
/// absent bound does not clip.
void clip_kernel(OpContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Node& node = ctx.node();
  dispatch_numeric(ctx, x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    Tensor& y = ctx.make_output(0, x.dtype(), x.shape());
    T lo = std::numeric_limits<T>::lowest();
    T hi = std::numeric_limits<T>::max();
    if (ctx.opset() < 11) {
      if (node.has_attr("min")) lo = static_cast<T>(node.attr_float("min", 0.0f));
      if (node.has_attr("max")) hi = static_cast<T>(node.attr_float("max", 0.0f));
    } else {
      lo = clip_bound(ctx, 1, lo);
      hi = clip_bound(ctx, 2, hi);
    }
    map_into<T, T>(ctx, x, y, [lo, hi](T v) { return std::min(std::max(v, lo), hi); });
  });
}

}  // namespace

void swish_span(const float* x, int64_t n, float* y) {
  // Eigen's packet logistic on whole packets (a padded one for the tail): an Eigen array
  // expression takes its scalar path before an aligned address and after the last whole
  // packet, and the scalar exp differs for x < -9.
  using Packet = Eigen::internal::packet_traits<float>::type;
  constexpr int64_t kLanes = Eigen::internal::unpacket_traits<Packet>::size;
  const Eigen::internal::scalar_logistic_op<float> logistic;
  const auto swish = [&logistic](const float* in, float* out) {
    const Packet v = Eigen::internal::ploadu<Packet>(in);
    Eigen::internal::pstoreu(out, Eigen::internal::pmul(v, logistic.packetOp(v)));
  };
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) swish(x + i, y + i);
  if (i == n) return;
  float in[kLanes] = {}, out[kLanes];
  std::copy_n(x + i, n - i, in);
  swish(in, out);
  std::copy_n(out, n - i, y + i);
}

void hard_swish_span(const float* x, int64_t n, float* y) {
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] * hard_sigmoid(x[i], 1.0f / 6.0f, 0.5f);
}

FloatSpanFn float_activation_span(const Node& node) {
  if (node.op_type == "Swish" && node.domain == kPtqcDomain) return &swish_span;
  if (node.op_type == "HardSwish" && node.domain.empty()) return &hard_swish_span;
  return nullptr;
}

void register_activation_ops(OpRegistry& registry) {
  registry.add("Relu", &relu_kernel);
  registry.add("LeakyRelu", &leaky_relu_kernel);
  registry.add("PRelu", &prelu_kernel);
  registry.add("Elu", &elu_kernel);
  registry.add("Selu", &selu_kernel);
  registry.add("Celu", &celu_kernel);
  registry.add("Gelu", &gelu_kernel);
  registry.add("Softplus", [](OpContext& ctx) { map_float_input(ctx, [](auto x) { return softplus(x); }); });
  registry.add("Softsign", &softsign_kernel);
  registry.add("Sigmoid", [](OpContext& ctx) {
    map_float_vectorized(ctx, [](const auto& x) { return x.logistic(); }, [](auto x) { return sigmoid(x); });
  });
  registry.add("HardSigmoid", &hard_sigmoid_kernel);
  registry.add("HardSwish", &hard_swish_kernel);
  registry.add("Tanh", [](OpContext& ctx) {
    map_float_vectorized(ctx, [](const auto& x) { return x.tanh(); }, [](auto x) { return std::tanh(x); });
  });
  registry.add("ThresholdedRelu", &thresholded_relu_kernel);
  registry.add("Mish", &mish_kernel);
  registry.add("Clip", &clip_kernel);
  // ptqc.Swish: x * sigmoid(x), fused from Mul(x, Sigmoid(x)) by the fuse_swish pass.
  registry.add("Swish", [](OpContext& ctx) { map_float_span(ctx, &swish_span, [](auto x) { return x * sigmoid(x); }); },
               kPtqcDomain);
}

}  // namespace ptqc
