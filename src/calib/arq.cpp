#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "calib/range_algorithms.h"
#include "ptqc/error.h"

namespace ptqc {

namespace {

/// The smallest weight scale (as for activations: 1 / scale stays finite).
constexpr float kMinScale = std::numeric_limits<float>::min();
/// ARQ's candidate clip ratios r_k = 1 - k * kRatioStep, k = 0..kRatioSteps: 1.00, 0.99, ..., 0.50.
constexpr int kRatioSteps = 50;
constexpr double kRatioStep = 0.01;

/// q = clamp(round_half_even(w / s), -127, 127), the division in float32.
/// -128 is never produced, so the weight range is symmetric.
float quantize_weight(float w, float scale) { return std::clamp(std::nearbyint(w / scale), -127.0f, 127.0f); }

/// Σ_i (w_i - s * q(w_i, s))², in double.
double reconstruction_error(const std::vector<float>& w, float scale) {
  double sum = 0.0;
  for (const float v : w) {
    const double e = static_cast<double>(v) - static_cast<double>(scale) * quantize_weight(v, scale);
    sum += e * e;
  }
  return sum;
}

/// scale_w of one channel \p w with m = max_i |w_i| > 0:
/// minmax: m / 127;  ARQ: argmin over s_k = r_k m / 127 of reconstruction_error(w, s_k), the
/// minmax scale (r_0 = 1) first, so ARQ's error never exceeds minmax's and ties keep minmax.
float channel_scale(const std::vector<float>& w, float max_abs, WeightAlgorithm algorithm) {
  auto scale_at = [max_abs](int k) { return std::max(static_cast<float>((1.0 - k * kRatioStep) * max_abs / 127.0), kMinScale); };
  float best = scale_at(0);
  if (algorithm == WeightAlgorithm::kMinMax) return best;
  double best_error = reconstruction_error(w, best);
  for (int k = 1; k <= kRatioSteps; ++k) {
    const float scale = scale_at(k);
    const double error = reconstruction_error(w, scale);
    if (error < best_error) {
      best_error = error;
      best = scale;
    }
  }
  return best;
}

}  // namespace

/// Channel c of \p w holds the elements whose index along channel_axis is c: with
/// outer = Π dims before the axis and inner = Π dims after it, element (o, c, i) is at
/// (o * C + c) * inner + i. Per tensor (channel_axis < 0): one channel of everything.
/// An all-zero channel gets scale 1 and values 0 (docs/quantization.md).
QuantizedWeights quantize_weights(const Tensor& w, int64_t channel_axis, WeightAlgorithm algorithm) {
  if (w.dtype() != DataType::kFloat32) {
    throw Error(ErrorCode::kInternal, "quantize_weights: weights are " + dtype_name(w.dtype()) + ", expected float32");
  }
  if (channel_axis >= w.rank()) {
    throw Error(ErrorCode::kInternal, "quantize_weights: channel axis " + std::to_string(channel_axis) + " of a " +
                                          shape_string(w.shape()) + " weight");
  }
  const bool per_channel = channel_axis >= 0;
  const int64_t channels = per_channel ? w.dim(channel_axis) : 1;
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; per_channel && d < w.rank(); ++d) {
    if (d < channel_axis) outer *= w.dim(d);
    if (d > channel_axis) inner *= w.dim(d);
  }
  if (!per_channel) inner = w.numel();

  QuantizedWeights out{std::vector<float>(static_cast<size_t>(channels), 1.0f), Tensor(DataType::kInt8, w.shape())};
  const float* src = w.data<float>();
  int8_t* dst = out.values.data<int8_t>();
  std::vector<float> channel;
  for (int64_t c = 0; c < channels; ++c) {
    auto index = [&](int64_t o, int64_t i) { return static_cast<size_t>((o * channels + c) * inner + i); };
    channel.clear();
    float max_abs = 0.0f;
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t i = 0; i < inner; ++i) {
        const float v = src[index(o, i)];
        if (!std::isfinite(v)) {
          throw Error(ErrorCode::kInvalidModel, "a " + shape_string(w.shape()) + " weight holds a NaN or infinite value");
        }
        channel.push_back(v);
        max_abs = std::max(max_abs, std::fabs(v));
      }
    }
    if (max_abs == 0.0f) continue;  // scale 1, values 0
    const float scale = channel_scale(channel, max_abs, algorithm);
    out.scales[static_cast<size_t>(c)] = scale;
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t i = 0; i < inner; ++i) dst[index(o, i)] = static_cast<int8_t>(quantize_weight(src[index(o, i)], scale));
    }
  }
  return out;
}

}  // namespace ptqc
