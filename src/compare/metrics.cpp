#include "compare/metrics.h"

#include <algorithm>
#include <cmath>

#include "ptqc/compare.h"
#include "ptqc/error.h"

namespace ptqc {

void ErrorSums::add(std::span<const float> ref, std::span<const float> test) {
  for (size_t i = 0; i < ref.size(); ++i) {
    const double r = ref[i], t = test[i], e = r - t, a = std::fabs(e);
    ref_sq += r * r;
    test_sq += t * t;
    dot += r * t;
    err_sq += e * e;
    abs_err += a;
    if (std::isnan(a) || a > max_abs_err) max_abs_err = a;  // a NaN stays
    ref_min = std::min(ref_min, r);
    ref_max = std::max(ref_max, r);
  }
  count += static_cast<int64_t>(ref.size());
}

double ErrorSums::cosine() const {
  if (ref_sq == 0 && test_sq == 0) return 1.0;
  if (ref_sq == 0 || test_sq == 0) return 0.0;
  return dot / std::sqrt(ref_sq * test_sq);
}

double ErrorSums::sqnr_db() const {
  if (err_sq == 0) return std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(ref_sq / err_sq);  // ref_sq = 0 gives -inf
}

double ErrorSums::psnr_db(double data_range) const {
  if (err_sq == 0) return std::numeric_limits<double>::infinity();
  const double mse = err_sq / static_cast<double>(count);
  return 10.0 * std::log10(data_range * data_range / mse);
}

double ErrorSums::mean_abs_error() const { return count == 0 ? 0.0 : abs_err / static_cast<double>(count); }

double ErrorSums::ref_range() const { return count == 0 || ref_max < ref_min ? 0.0 : ref_max - ref_min; }

namespace {

/// The index of the first maximum of \p row (NaN never wins).
size_t first_max(std::span<const float> row) {
  size_t best = 0;
  for (size_t j = 1; j < row.size(); ++j) {
    if (row[j] > row[best] || std::isnan(row[best])) best = j;
  }
  return best;
}

/// The 0-based rank of class \p c in \p row: scores above it, plus equal scores at lower indices.
int64_t rank_of(std::span<const float> row, size_t c) {
  int64_t rank = 0;
  for (size_t j = 0; j < row.size(); ++j) {
    if (row[j] > row[c] || (row[j] == row[c] && j < c)) ++rank;
  }
  return rank;
}

}  // namespace

TopkCounts topk_agreement(std::span<const float> ref, std::span<const float> test, int64_t classes, int k) {
  TopkCounts counts;
  const size_t width = static_cast<size_t>(classes);
  for (size_t start = 0; start + width <= ref.size(); start += width) {
    const size_t label = first_max(ref.subspan(start, width));
    const int64_t rank = rank_of(test.subspan(start, width), label);
    ++counts.rows;
    counts.top1_hits += rank == 0;
    counts.topk_hits += rank < k;
  }
  return counts;
}

TensorMetrics measure_tensor(std::span<const float> ref, std::span<const float> test, const Shape& shape,
                             const MetricOptions& options) {
  ErrorSums sums;
  sums.add(ref, test);
  TensorMetrics m;
  m.cosine = sums.cosine();
  m.sqnr_db = sums.sqnr_db();
  m.data_range = options.data_range.value_or(sums.ref_range());
  m.psnr_db = sums.psnr_db(m.data_range);
  m.max_abs_error = sums.max_abs_err;
  m.mean_abs_error = sums.mean_abs_error();
  const bool class_shaped = (shape.size() == 2 || shape.size() == 3) && shape.back() >= 2;
  if ((options.topk > 0 || class_shaped) && !shape.empty() && shape.back() > 0) {
    const int64_t classes = shape.back();
    m.k = static_cast<int>(std::min<int64_t>(options.topk > 0 ? options.topk : 5, classes));
    const TopkCounts counts = topk_agreement(ref, test, classes, m.k);
    m.rows = counts.rows;
    m.top1_hits = counts.top1_hits;
    m.topk_hits = counts.topk_hits;
  }
  if (options.mask_threshold) {
    const double threshold = *options.mask_threshold;
    for (size_t i = 0; i < ref.size(); ++i) {
      const bool r = ref[i] > threshold, t = test[i] > threshold;
      m.mask_intersection += r && t;
      m.mask_union += r || t;
    }
  }
  return m;
}

void add_output_sample(OutputComparison& output, const Tensor& ref, const Tensor& test, const MetricOptions& options,
                       const std::string& where) {
  if (ref.shape() != test.shape()) {
    throw Error(ErrorCode::kInvalidData, where + ": the FP32 shape is " + shape_string(ref.shape()) + ", the INT8 shape " +
                                             shape_string(test.shape()));
  }
  const std::vector<float> r = ref.to_float_vector(), t = test.to_float_vector();
  if (output.samples.empty()) output.shape = ref.shape();
  output.mask_measured = options.mask_threshold.has_value();
  output.samples.push_back(measure_tensor(r, t, ref.shape(), options));
}

namespace {

SampleStatistic statistic(const std::vector<TensorMetrics>& samples, double TensorMetrics::*metric) {
  SampleStatistic s;
  s.worst = samples.front().*metric;
  for (size_t i = 0; i < samples.size(); ++i) {
    const double v = samples[i].*metric;
    s.mean += v / static_cast<double>(samples.size());
    if (!std::isnan(s.worst) && (std::isnan(v) || v < s.worst)) {
      s.worst = v;
      s.worst_sample = static_cast<int64_t>(i);
    }
  }
  return s;
}

}  // namespace

OutputSummary summarize(const OutputComparison& output) {
  OutputSummary s;
  const auto& samples = output.samples;
  if (samples.empty()) return s;
  s.cosine = statistic(samples, &TensorMetrics::cosine);
  s.sqnr_db = statistic(samples, &TensorMetrics::sqnr_db);
  s.psnr_db = statistic(samples, &TensorMetrics::psnr_db);
  int64_t rows = 0, top1 = 0, topk = 0, intersection = 0, union_count = 0;
  for (const TensorMetrics& m : samples) {
    intersection += m.mask_intersection;
    union_count += m.mask_union;
    s.mean_abs_error += m.mean_abs_error / static_cast<double>(samples.size());
    if (std::isnan(m.max_abs_error) || m.max_abs_error > s.max_abs_error) s.max_abs_error = m.max_abs_error;
    rows += m.rows;
    top1 += m.top1_hits;
    topk += m.topk_hits;
    s.k = std::max(s.k, m.k);
  }
  if (rows > 0) {
    s.top1 = static_cast<double>(top1) / static_cast<double>(rows);
    s.topk = static_cast<double>(topk) / static_cast<double>(rows);
  }
  if (output.mask_measured) {
    s.mask_iou = union_count == 0 ? 1.0 : static_cast<double>(intersection) / static_cast<double>(union_count);
  }
  return s;
}

}  // namespace ptqc
