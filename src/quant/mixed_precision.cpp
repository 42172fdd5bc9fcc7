#include "quant/mixed_precision.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace ptqc {

namespace {

/// The evaluator, counted and logged.
class CountedEvaluator {
 public:
  CountedEvaluator(const PrecisionEvaluator& evaluate, int& count) : evaluate_(evaluate), count_(count) {}

  double operator()(const std::set<std::string>& float_layers, const std::string& what) {
    const double m = evaluate_(float_layers);
    ++count_;
    spdlog::info("accuracy_target: evaluation {} ({}, {} layers in float): {:.6g}", count_, what, float_layers.size(), m);
    return m;
  }

 private:
  const PrecisionEvaluator& evaluate_;
  int& count_;
};

std::set<std::string> prefix(const std::vector<std::string>& ranked, size_t k) {
  return {ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(k)};
}

}  // namespace

PrecisionSearch search_float_layers(const std::vector<std::string>& layers, double target,
                                    const PrecisionEvaluator& evaluate, const std::vector<double>& costs) {
  PrecisionSearch result;
  result.all_float = std::nan("");
  CountedEvaluator eval(evaluate, result.evaluations);
  const auto meets = [target](double m) { return m >= target; };

  result.all_int8 = result.reached = eval({}, "every layer INT8");
  if (meets(result.all_int8) || layers.empty()) {
    result.met = meets(result.all_int8);
    return result;
  }
  const std::set<std::string> all(layers.begin(), layers.end());
  result.all_float = eval(all, "every layer float");
  if (!meets(result.all_float)) return result;

  for (const std::string& layer : layers) {
    std::set<std::string> others = all;
    others.erase(layer);
    result.isolated.emplace_back(layer, eval(others, "only " + layer + " INT8"));
  }
  std::vector<size_t> order(layers.size());
  std::iota(order.begin(), order.end(), 0);
  const auto cost = [&](size_t i) { return costs.empty() ? 0.0 : costs[i]; };
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const double sa = result.isolated[a].second, sb = result.isolated[b].second;
    return sa < sb || (sa == sb && cost(a) < cost(b));
  });
  std::vector<std::string> ranked;
  for (size_t i : order) ranked.push_back(layers[i]);

  // m(top-lo) misses the target, m(top-hi) meets it with value best.
  size_t lo = 0, hi = ranked.size();
  double best = result.all_float;
  while (hi - lo > 1) {
    const size_t mid = lo + (hi - lo) / 2;
    const double m = eval(prefix(ranked, mid), "the " + std::to_string(mid) + " most harmful in float");
    if (meets(m)) {
      hi = mid;
      best = m;
    } else {
      lo = mid;
    }
  }
  std::vector<std::string> kept(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(hi));
  for (size_t i = kept.size(); i-- > 0;) {
    if (kept.size() == 1) break;  // m(∅) misses the target
    std::vector<std::string> fewer = kept;
    fewer.erase(fewer.begin() + static_cast<std::ptrdiff_t>(i));
    const double m = eval({fewer.begin(), fewer.end()}, "without " + kept[i]);
    if (meets(m)) {
      kept = std::move(fewer);
      best = m;
    }
  }
  result.float_layers = std::move(kept);
  result.reached = best;
  result.met = true;
  return result;
}

}  // namespace ptqc
