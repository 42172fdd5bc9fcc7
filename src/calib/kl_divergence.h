#pragma once
/// \file
/// The entropy (KL divergence) objective of TensorRT's calibration, evaluated on windows of
/// a histogram's bins: HFMG's "kl" objective.

#include <cstdint>
#include <vector>

namespace ptqc {

/// KL(P || Q) of quantizing the bins [lo, hi) of a histogram (W = hi - lo bins, total T) to
/// L levels:
///   P = the window's bins with the mass below (above) the window added to its first (last)
///       bin, normalized by T;
///   Q = the window's bins without that mass, quantized: window bin t goes to level
///       round_half_up((t + 1/2) (L - 1) / W) (the nearest of L levels spaced W / (L - 1) bins
///       apart, the first at the window's left edge), each level's count R_l spread evenly over
///       its B_l bins with P > 0, normalized by the window's count T_w; a level with R_l = 0
///       but P > 0 gets kEmptyLevelCount per bin (ONNX Runtime's smoothing epsilon, in counts);
///   KL(P || Q) = Σ_{P_k > 0} p_k log(p_k / q_k)
///              = (Σ_k P_k log P_k - Σ_l M_l log(R_l / B_l)) / T + log(T_w / T)
/// with M_l the P mass of level l. The clipped mass is in P but not in Q: that is what a clip
/// costs; the merged bins of a level are what the resolution costs.
/// Prefix sums of the counts, of the non-empty bins and of c log c make one evaluation O(L).
class KlDivergence {
 public:
  static constexpr double kEmptyLevelCount = 1e-4;

  explicit KlDivergence(std::vector<double> counts);

  /// KL(P || Q); infinity when the window holds no count.
  /// \pre 0 <= lo, hi <= counts.size(), hi - lo >= levels - 1, levels >= 2, some count > 0.
  double operator()(int64_t lo, int64_t hi, int64_t levels) const;

 private:
  std::vector<double> counts_;
  std::vector<double> mass_;       ///< mass_[k] = Σ_{i < k} c_i
  std::vector<int64_t> nonempty_;  ///< nonempty_[k] = #{i < k : c_i > 0}
  std::vector<double> x_log_x_;    ///< x_log_x_[k] = Σ_{i < k} c_i log c_i
};

}  // namespace ptqc
