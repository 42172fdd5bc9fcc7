#pragma once
/// \file
/// Calibration-test helpers: reproducible samples (from std::mt19937, whose output the
/// standard fixes, so every platform draws the same values), the exact fake-quantization
/// MSE that the histogram estimates are checked against, configs and error expectations.

#include <cmath>
#include <cstdint>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "calib/range_algorithms.h"
#include "ptqc/error.h"

namespace ptqc::test {

/// Uniform in (0, 1).
inline double unit_uniform(std::mt19937& rng) { return (static_cast<double>(rng()) + 0.5) / 4294967296.0; }

/// \p n draws of N(0, sigma²) (Box-Muller).
inline std::vector<float> gaussian_samples(size_t n, uint32_t seed, double sigma = 1.0) {
  std::mt19937 rng(seed);
  std::vector<float> out(n);
  for (auto& v : out) {
    const double u1 = unit_uniform(rng), u2 = unit_uniform(rng);
    v = static_cast<float>(sigma * std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2));
  }
  return out;
}

/// \p n draws of Laplace(0, b) (inverse CDF).
inline std::vector<float> laplace_samples(size_t n, uint32_t seed, double b = 1.0) {
  std::mt19937 rng(seed);
  std::vector<float> out(n);
  for (auto& v : out) {
    const double u = unit_uniform(rng) - 0.5;
    v = static_cast<float>(-b * std::copysign(std::log(1.0 - 2.0 * std::fabs(u)), u));
  }
  return out;
}

/// \p n draws of U(lo, hi).
inline std::vector<float> uniform_samples(size_t n, uint32_t seed, double lo, double hi) {
  std::mt19937 rng(seed);
  std::vector<float> out(n);
  for (auto& v : out) v = static_cast<float>(lo + (hi - lo) * unit_uniform(rng));
  return out;
}

/// mean (x - x̂)² with x̂ = (q - offset_d) scale_d, q = sat_int8(round_half_even(x / scale_d) + offset_d),
/// (scale_d, offset_d) = activation_quant_params(range, asymmetric).
inline double fake_quant_mse(const std::vector<float>& values, ActivationRange range, bool asymmetric) {
  const ActivationQuantParams p = activation_quant_params(range, asymmetric);
  double sum = 0.0;
  for (const float x : values) {
    const double q = std::fmin(std::fmax(std::nearbyint(x / static_cast<double>(p.scale)) + p.offset, -128.0), 127.0);
    const double e = x - (q - p.offset) * static_cast<double>(p.scale);
    sum += e * e;
  }
  return sum / static_cast<double>(values.size());
}

/// The default config of \p algorithm.
inline RangeAlgorithmConfig algorithm_config(ActivationAlgorithm algorithm, bool asymmetric = true) {
  RangeAlgorithmConfig c;
  c.algorithm = algorithm;
  c.asymmetric = asymmetric;
  return c;
}

/// Expects \p run to throw a ptqc::Error with \p code whose message contains \p fragment.
template <class Run>
void expect_error(const Run& run, ErrorCode code, const std::string& fragment) {
  try {
    run();
    ADD_FAILURE() << "expected an error containing '" << fragment << "'";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_NE(e.message().find(fragment), std::string::npos) << e.what();
  }
}

}  // namespace ptqc::test
