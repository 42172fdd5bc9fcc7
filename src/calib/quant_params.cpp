#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "calib/range_algorithms.h"
#include "calib/range_rules.h"
#include "ptqc/error.h"

namespace ptqc {

namespace {

/// The smallest scale_d: its reciprocal, AscendQuant's `scale` attribute, stays finite.
constexpr float kMinScale = std::numeric_limits<float>::min();

}  // namespace

ActivationRange symmetric_range(ActivationRange range) {
  const float a = std::max(std::fabs(range.min), std::fabs(range.max));
  return {-a, a};
}

/// Asymmetric (docs/quantization.md): [min, max] is widened to [min(min, 0), max(max, 0)], then
///   scale_d  = max((max - min) / 255, FLT_MIN)                (float32)
///   offset_d = clamp(-round_half_even(min / scale_d) - 128, -128, 127)
/// with min / scale_d divided in double by the float32 scale_d, so offset_d is what the
/// stored scale_d implies. x = 0 quantizes to offset_d exactly; [min, max] is representable
/// to within scale_d / 2 at each end.
/// Symmetric: a = max(|min|, |max|), scale_d = max(a / 127, FLT_MIN), offset_d = 0 (AMCT's
/// and TensorRT's convention, as for weights): [-a, a] maps onto [-127, 127] and -128 is
/// reached only below -a.
/// An empty range (max = min = 0 after widening) gets scale_d = 1 and offset_d = -128
/// (asymmetric) or 0 (symmetric), as ONNX Runtime gives scale 1 to rmin = rmax.
ActivationQuantParams activation_quant_params(ActivationRange range, bool asymmetric) {
  if (!std::isfinite(range.min) || !std::isfinite(range.max) || range.min > range.max) {
    throw Error(ErrorCode::kInvalidValue, "activation range [" + std::to_string(range.min) + ", " + std::to_string(range.max) +
                                              "] is not a finite range with min <= max");
  }
  const double lo = std::min(range.min, 0.0f), hi = std::max(range.max, 0.0f);
  if (!asymmetric) {
    const double a = std::max(-lo, hi);
    if (a == 0.0) return {1.0f, 0};
    return {std::max(static_cast<float>(a / 127.0), kMinScale), 0};
  }
  if (hi == lo) return {1.0f, -128};
  const float scale = std::max(static_cast<float>((hi - lo) / 255.0), kMinScale);
  const double offset = -std::nearbyint(lo / static_cast<double>(scale)) - 128.0;
  return {scale, static_cast<int32_t>(std::clamp(offset, -128.0, 127.0))};
}

}  // namespace ptqc
