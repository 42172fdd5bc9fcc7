#include "compare/activation_histograms.h"

#include <algorithm>

#include "ptqc/error.h"

namespace ptqc {

ActivationHistograms::ActivationHistograms(const std::vector<LayerComparison>& layers, int64_t num_bins) {
  for (const LayerComparison& layer : layers) {
    auto [it, added] = index_.emplace(layer.activation, entries_.size());
    if (added) {
      entries_.push_back({ActivationHistogram{}, Histogram(num_bins)});
      entries_.back().meta.value = layer.activation;
    }
    ActivationHistogram& meta = entries_[it->second].meta;
    meta.layers.push_back(layer.name);
    if (!layer.params.known) continue;
    const std::pair<double, double> clip{layer.params.clip_min(), layer.params.clip_max()};
    if (std::find(meta.clip_ranges.begin(), meta.clip_ranges.end(), clip) == meta.clip_ranges.end()) {
      meta.clip_ranges.push_back(clip);
    }
  }
}

void ActivationHistograms::observe(const std::string& value, const Tensor& tensor) {
  const auto it = index_.find(value);
  if (it == index_.end() || tensor.dtype() != DataType::kFloat32 || tensor.numel() == 0) return;
  Entry& e = entries_[it->second];
  if (!e.meta.note.empty()) return;
  try {
    e.histogram.add(tensor.values<float>());
  } catch (const Error&) {
    e.meta.note = "stopped at a NaN or infinite value";
  }
}

std::vector<ActivationHistogram> ActivationHistograms::results() const {
  std::vector<ActivationHistogram> out;
  for (const Entry& e : entries_) {
    ActivationHistogram h = e.meta;
    const Histogram& src = e.histogram;
    h.min = src.observed().min;
    h.max = src.observed().max;
    if (src.total_count() > 0) {
      // Exact zeros (kept apart by the histogram) go to the bin that starts at 0.
      std::vector<uint64_t> counts(src.counts().begin(), src.counts().end());
      const bool only_zeros = src.bin_width() == 0;
      if (only_zeros) counts.assign(1, 0);
      counts[only_zeros ? 0 : static_cast<size_t>(std::min(src.zero_edge(), src.num_bins() - 1))] += src.zero_count();
      // Only the occupied span: the power-of-two bins can reach far past the data.
      const auto first = std::find_if(counts.begin(), counts.end(), [](uint64_t c) { return c != 0; });
      const auto last = std::find_if(counts.rbegin(), counts.rend(), [](uint64_t c) { return c != 0; }).base();
      const double width = only_zeros ? 1.0 : src.bin_width(), origin = only_zeros ? 0.0 : src.edge(0);
      h.lo = origin + width * static_cast<double>(first - counts.begin());
      h.hi = origin + width * static_cast<double>(last - counts.begin());
      h.counts.assign(first, last);
    }
    out.push_back(std::move(h));
  }
  return out;
}

}  // namespace ptqc
