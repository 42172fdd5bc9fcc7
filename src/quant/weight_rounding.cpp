#include "quant/weight_rounding.h"

#include <spdlog/spdlog.h>

#include <Eigen/Dense>
#include <cmath>
#include <optional>

#include "ptqc/executor.h"
#include "runtime/quant_traits.h"

namespace ptqc {

namespace {

constexpr int64_t kMaxPatchesPerBatch = 1024;  ///< patches per batch and layer (evenly spaced beyond)
constexpr int64_t kMaxGramEntries = 1 << 22;   ///< groups × K² per layer (32 MiB of doubles)
constexpr int kMaxSweeps = 8;

/// How a layer's input becomes patch vectors of length k (the weight row of one output channel).
struct PatchGeometry {
  bool conv = false;
  int64_t groups = 1, k = 0;
  int64_t kh = 1, kw = 1, sh = 1, sw = 1, dh = 1, dw = 1, pt = 0, pl = 0, pb = 0, pr = 0;
};

/// The geometry of a Conv (1-D or 2-D, explicit pads), MatMul or Gemm; nullopt with \p why otherwise.
std::optional<PatchGeometry> geometry(const Node& node, const Tensor& w, std::string& why) {
  PatchGeometry g;
  const QuantTraits* traits = quant_traits(node);
  if (traits && traits->channels_last) {  // a product: patches are the rows of its input
    const std::optional<WeightLayout> layout = weight_layout(node, w.shape());
    if (!layout) {
      why = "weights of rank " + std::to_string(w.rank());
      return std::nullopt;
    }
    g.k = layout->reduction;
    return g;
  }
  if (!traits || traits->scatters || !traits->weighted) why = node.op_type + " is not supported";
  else if (w.rank() != 3 && w.rank() != 4) why = "only 1-D and 2-D convolutions";
  else if (node.attr_string("auto_pad", "NOTSET") != "NOTSET") why = "auto_pad is not resolved here";
  if (!why.empty()) return std::nullopt;
  const bool two_d = w.rank() == 4;
  const auto strides = node.attr_ints("strides", std::vector<int64_t>(two_d ? 2 : 1, 1));
  const auto dilations = node.attr_ints("dilations", std::vector<int64_t>(two_d ? 2 : 1, 1));
  const auto pads = node.attr_ints("pads", std::vector<int64_t>(two_d ? 4 : 2, 0));
  g.conv = true;
  g.groups = node.attr_int("group", 1);
  g.kw = w.dim(w.rank() - 1);
  g.sw = strides.back(), g.dw = dilations.back();
  if (two_d) {
    g.kh = w.dim(2), g.sh = strides[0], g.dh = dilations[0];
    g.pt = pads[0], g.pl = pads[1], g.pb = pads[2], g.pr = pads[3];
  } else {
    g.pl = pads[0], g.pr = pads[1];
  }
  g.k = w.dim(1) * g.kh * g.kw;
  return g;
}

/// E[x xᵀ] of one layer's input patches, per group (summed; the scale does not matter).
struct LayerGram {
  PatchGeometry geo;
  std::vector<Eigen::MatrixXd> gram;

  explicit LayerGram(const PatchGeometry& g) : geo(g), gram(static_cast<size_t>(g.groups), Eigen::MatrixXd::Zero(g.k, g.k)) {}

  void add(const Tensor& x) {
    if (geo.conv) {
      add_conv(x);
    } else {
      add_rows(x);
    }
  }

 private:
  void add_rows(const Tensor& x) {
    const int64_t rows = x.numel() / geo.k;
    const int64_t step = std::max<int64_t>(1, (rows + kMaxPatchesPerBatch - 1) / kMaxPatchesPerBatch);
    const Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> all(x.data<float>(), rows, geo.k);
    Eigen::MatrixXf picked((rows + step - 1) / step, geo.k);
    for (int64_t r = 0, i = 0; r < rows; r += step, ++i) picked.row(i) = all.row(r);
    gram[0] += (picked.transpose() * picked).cast<double>();
  }

  void add_conv(const Tensor& x) {
    const bool two_d = x.rank() == 4;
    const int64_t n = x.dim(0), c = x.dim(1), h = two_d ? x.dim(2) : 1, w = x.dim(x.rank() - 1);
    const int64_t oh = (h + geo.pt + geo.pb - geo.dh * (geo.kh - 1) - 1) / geo.sh + 1;
    const int64_t ow = (w + geo.pl + geo.pr - geo.dw * (geo.kw - 1) - 1) / geo.sw + 1;
    const int64_t cg = c / geo.groups, total = n * oh * ow;
    if (oh <= 0 || ow <= 0) return;
    const int64_t step = std::max<int64_t>(1, (total + kMaxPatchesPerBatch - 1) / kMaxPatchesPerBatch);
    const float* data = x.data<float>();
    Eigen::MatrixXf patches(geo.k, (total + step - 1) / step);
    for (int64_t g = 0; g < geo.groups; ++g) {
      for (int64_t pos = 0, col = 0; pos < total; pos += step, ++col) {
        const int64_t b = pos / (oh * ow), oy = pos / ow % oh, ox = pos % ow;
        int64_t row = 0;
        for (int64_t ci = 0; ci < cg; ++ci) {
          const float* plane = data + (b * c + g * cg + ci) * h * w;
          for (int64_t ky = 0; ky < geo.kh; ++ky) {
            const int64_t iy = oy * geo.sh - geo.pt + ky * geo.dh;
            for (int64_t kx = 0; kx < geo.kw; ++kx, ++row) {
              const int64_t ix = ox * geo.sw - geo.pl + kx * geo.dw;
              patches(row, col) = iy >= 0 && iy < h && ix >= 0 && ix < w ? plane[iy * w + ix] : 0.0f;
            }
          }
        }
      }
      gram[static_cast<size_t>(g)] += (patches * patches.transpose()).cast<double>();
    }
  }
};

/// One output channel: float weights w, scale s, INT8 weights q (updated). Returns
/// {wᵀHw, L(nearest), L(learned)} and adds the flips to \p flipped.
std::array<double, 3> learn_channel(const Eigen::MatrixXd& h, const Eigen::VectorXd& w, double s, std::vector<int8_t*>& q,
                                    int64_t& flipped) {
  const int64_t k = w.size();
  Eigen::VectorXd e(k);
  for (int64_t i = 0; i < k; ++i) e[i] = w[i] - s * *q[static_cast<size_t>(i)];
  const double nearest = e.dot(h * e);
  Eigen::VectorXd g = h * e;
  for (int sweep = 0; sweep < kMaxSweeps; ++sweep) {
    bool changed = false;
    for (int64_t i = 0; i < k; ++i) {
      int8_t& qi = *q[static_cast<size_t>(i)];
      const double lo = std::floor(w[i] / s);
      const double other = qi == lo ? lo + 1 : lo;
      if (other < -127 || other > 127 || std::fabs(other - w[i] / s) >= 1.0) continue;
      const double d = s * (other - qi);
      const double delta = -2 * d * g[i] + d * d * h(i, i);
      if (!(delta < -1e-12 * std::max(1e-300, d * d * h(i, i)))) continue;
      qi = static_cast<int8_t>(other);
      e[i] -= d;
      g -= d * h.col(i);
      changed = true;
      ++flipped;
    }
    if (!changed) break;
  }
  return {w.dot(h * w), nearest, e.dot(h * e)};
}

}  // namespace

WeightRoundingSummary learn_weight_rounding(const Graph& float_graph, std::map<std::string, SolvedLayer>& solved,
                                            const std::set<std::string>& layers, const BatchSource& batches, int threads) {
  WeightRoundingSummary summary;
  std::map<std::string, std::vector<std::pair<std::string, LayerGram>>> by_input;  // input value -> layers reading it
  std::map<std::string, const Node*> nodes;
  for (const Node& node : float_graph.nodes) {
    const auto it = solved.find(node.name);
    if (!layers.count(node.name) || it == solved.end() || it->second.weights.empty()) continue;  // pooling has no weights
    std::string why;
    const Tensor& w = *float_graph.constant(node.inputs[1]);
    std::optional<PatchGeometry> geo = geometry(node, w, why);
    if (geo && geo->groups * geo->k * geo->k > kMaxGramEntries) {
      why = "K = " + std::to_string(geo->k) + " is too large";
      geo.reset();
    }
    if (!geo) {
      spdlog::info("adaround: {} keeps nearest rounding ({})", node.name, why);
      ++summary.skipped;
      continue;
    }
    by_input[node.inputs[0]].emplace_back(node.name, LayerGram(*geo));
    nodes[node.name] = &node;
  }
  if (by_input.empty()) return summary;

  Executor executor(float_graph, ExecutorOptions{threads});
  const auto observe = [&](const std::string& value, const Tensor& t) {
    auto it = by_input.find(value);
    if (it == by_input.end() || t.dtype() != DataType::kFloat32) return;
    for (auto& [name, gram] : it->second) gram.add(t);
  };
  executor.set_observer([&](const Node&, const std::string& value, const Tensor& t) { observe(value, t); });
  std::vector<Tensor> inputs;
  while (batches(inputs)) {
    for (size_t i = 0; i < inputs.size() && i < float_graph.inputs.size(); ++i) observe(float_graph.inputs[i].name, inputs[i]);
    executor.run(inputs);
  }

  double base = 0, nearest = 0, learned = 0;
  for (auto& [value, grams] : by_input) {
    for (auto& [name, gram] : grams) {
      const Node& node = *nodes.at(name);
      SolvedLayer& layer = solved.at(name);
      const Tensor& w = *float_graph.constant(node.inputs[1]);
      const float* wf = w.data<float>();
      int8_t* q = layer.weights.data<int8_t>();
      const int64_t k = gram.geo.k;
      const bool conv = gram.geo.conv;
      const WeightLayout layout = require_weight_layout(node, w);
      const bool trans_b = layout.transposed;
      const int64_t channels = layout.channels;
      const std::vector<float>& scales = layer.record.scale_w;
      for (int64_t m = 0; m < channels; ++m) {
        Eigen::VectorXd wm(k);
        std::vector<int8_t*> qm(static_cast<size_t>(k));
        for (int64_t i = 0; i < k; ++i) {
          // Float layouts: Conv [M, K]; MatMul/Gemm [K, N] or [N, K] (transB). INT8: Conv [M, K]; QMatMul [K, N].
          wm[i] = conv ? wf[m * k + i] : trans_b ? wf[m * k + i] : wf[i * channels + m];
          qm[static_cast<size_t>(i)] = conv ? &q[m * k + i] : &q[i * channels + m];
        }
        const int64_t group = conv ? m / (channels / gram.geo.groups) : 0;
        const double s = scales[scales.size() == 1 ? 0 : static_cast<size_t>(m)];
        const auto [b, n, l] = learn_channel(gram.gram[static_cast<size_t>(group)], wm, s, qm, summary.flipped);
        base += b, nearest += n, learned += l;
      }
      ++summary.layers;
    }
  }
  summary.nearest_error = base > 0 ? nearest / base : 0;
  summary.learned_error = base > 0 ? learned / base : 0;
  spdlog::info("adaround: {} layers, {} weights moved off nearest rounding; output error of the weights {:.3g} -> {:.3g} "
               "(relative, on the calibration inputs)", summary.layers, summary.flipped, summary.nearest_error, summary.learned_error);
  return summary;
}

}  // namespace ptqc
