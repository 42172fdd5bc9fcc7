#pragma once
/// \file
/// Accuracy of an INT8 model against its FP32 source, as ptqc-compare reports it
/// (docs/compare.md): per-output metrics over a test set, the cumulative error of every
/// value the two graphs share, each quantized layer's isolated sensitivity, and the
/// text, JSON and HTML reports.
///
/// Non-finite results are meaningful: an SQNR or PSNR of +inf means no error at all.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "ptqc/tensor.h"

namespace ptqc {

/// How the per-output metrics are computed.
struct MetricOptions {
  /// PSNR's peak-to-peak range R; nullopt = the reference sample's max - min.
  std::optional<double> data_range;
  /// 0: top-1/top-k agreement only for class-shaped outputs with k = 5: logits [N, C] and
  /// sequence logits [N, T, C] (per step), C >= 2; k > 0: for every output (classes along the
  /// last axis), with that k.
  int topk = 0;
  /// Binary-mask IoU of every output at this threshold (probability maps): |r > θ ∧ t > θ| / |r > θ ∨ t > θ|.
  std::optional<double> mask_threshold;
};

/// One test tensor against its reference (one output of one sample). Sums are in double.
struct TensorMetrics {
  double cosine = 0;          ///< Σ r t / sqrt(Σ r² Σ t²); 1 when both are all zero, 0 when only one is
  double sqnr_db = 0;         ///< 10 log10(Σ r² / Σ (r - t)²)
  double psnr_db = 0;         ///< 10 log10(R² / mean (r - t)²)
  double data_range = 0;      ///< the R used
  double max_abs_error = 0;   ///< max |r - t|
  double mean_abs_error = 0;  ///< mean |r - t|
  /// Top-k agreement (rows = numel / classes; 0 when not measured): a row agrees at k when
  /// the reference's top-1 class is among the test's k largest (ties: lower index first).
  int64_t rows = 0;
  int64_t top1_hits = 0;
  int64_t topk_hits = 0;
  int k = 0;
  /// Elements above MetricOptions::mask_threshold in both / in either (0 when not measured).
  int64_t mask_intersection = 0;
  int64_t mask_union = 0;
};

/// The metrics of \p test against \p ref, both of shape \p shape.
/// \pre ref.size() == test.size() == shape_numel(shape).
TensorMetrics measure_tensor(std::span<const float> ref, std::span<const float> test, const Shape& shape,
                             const MetricOptions& options);

/// The metrics of one output over all samples.
struct OutputComparison {
  std::string name;
  Shape shape;                        ///< of the first sample
  std::vector<TensorMetrics> samples; ///< in sample order
  bool mask_measured = false;         ///< MetricOptions::mask_threshold was set
};

/// A similarity metric over samples: its mean and its worst (smallest; NaN counts as worst) sample.
struct SampleStatistic {
  double mean = 0;
  double worst = 0;
  int64_t worst_sample = 0;
};

/// Aggregates of an OutputComparison; top-k is pooled over all rows of all samples.
struct OutputSummary {
  SampleStatistic cosine, sqnr_db, psnr_db;
  double max_abs_error = 0;   ///< over all samples
  double mean_abs_error = 0;  ///< mean of the per-sample means
  std::optional<double> top1, topk;  ///< fractions of rows; nullopt when not measured
  int k = 0;
  /// Σ intersection / Σ union over all samples (1 when both masks are empty); nullopt when not measured.
  std::optional<double> mask_iou;
};

OutputSummary summarize(const OutputComparison& output);

/// The error of one float value present in both graphs, pooled over the per-layer samples:
/// sums over every element of every sample, then SQNR/cosine of the sums.
struct ValueError {
  std::string value;
  double sqnr_db = 0;
  double cosine = 0;
  double max_abs_error = 0;
  /// The INT8 graph holds it only requantized: measured on the AscendRequant's int8 output,
  /// dequantized with its scale (the next layer's input quantization included).
  bool from_requantized = false;
};

/// The quantization parameters of a layer, as the INT8 graph applies them.
struct LayerQuantParams {
  bool known = false;       ///< false: the .om does not determine them (see note)
  std::string source;       ///< "om" or "record"
  std::string note;         ///< why they are unknown
  float quant_scale = 1;    ///< AscendQuant's scale = 1 / scale_d
  float scale_d = 1;
  int32_t offset_d = 0;
  std::vector<float> scale_w;  ///< per output channel, or one; empty for pooling
  /// QBatchMatMul's second input b (an activation): its AscendQuant's scale and its offset;
  /// scale_w[0] is its scale.
  float quant_scale_b = 1;
  int32_t offset_b = 0;
  /// The float interval the INT8 grid covers: [(-128 - offset_d) * scale_d, (127 - offset_d) * scale_d].
  double clip_min() const { return (-128.0 - offset_d) * scale_d; }
  double clip_max() const { return (127.0 - offset_d) * scale_d; }
};

/// One quantized layer of the .om (a QConv/QConvTranspose/QMatMul/QBatchMatMul/QAveragePool node).
struct LayerComparison {
  std::string name;        ///< the Q-op's node name = the FP32 node's name
  std::string op_type;     ///< the FP32 op type ("Conv")
  std::string int8_op;     ///< the Q-op type ("QConv")
  std::string activation;  ///< the FP32 input value that is quantized
  std::string output;      ///< the FP32 output value
  /// The value the cumulative error is read at: `output`, or for a layer whose output the
  /// INT8 graph never materialises (AscendRequant-joined) the first shared value downstream.
  std::string compared_value;
  bool compared_downstream = false;
  LayerQuantParams params;
  std::optional<ValueError> cumulative;  ///< nullopt when no shared value is downstream
  std::optional<double> isolated_sqnr_db;  ///< model-output SQNR with only this layer in INT8
  std::string isolated_note;               ///< why isolated_sqnr_db is missing
};

/// A histogram of an FP32 activation over the per-layer samples, with the clip ranges of
/// the layers that quantize it.
struct ActivationHistogram {
  std::string value;
  std::vector<std::string> layers;
  double lo = 0, hi = 0;           ///< bin edges span [lo, hi)
  std::vector<uint64_t> counts;    ///< equal-width bins over the occupied span; exact zeros in the bin starting at 0
  double min = 0, max = 0;         ///< observed extent
  std::vector<std::pair<double, double>> clip_ranges;
  std::string note;                ///< non-empty when the histogram is incomplete (non-finite values)
};

/// One output under ptqc-compare --simulate.
struct SimulationOutput {
  std::string name;
  double sim_vs_fp32_sqnr_db = 0;   ///< the quantization's own error (the algorithm)
  double sim_vs_fp32_cosine = 0;
  double int8_vs_sim_sqnr_db = 0;   ///< how far the .om's kernels are from the simulation
  double int8_vs_sim_max_abs_error = 0;
};

/// ptqc-compare --simulate: the FP32 graph with every quantized layer fake-quantized exactly
/// as the .om quantizes it (simulate_layers), run in float32 on every sample. A high INT8-vs-
/// simulation SQNR says the INT8 kernels do what the parameters say, so any loss is the
/// quantization's (docs/compare.md, "Simulation").
struct SimulationReport {
  int64_t samples = 0;
  size_t simulated_layers = 0;
  std::vector<std::string> not_simulated;  ///< "layer: why"; such layers stay float in the simulation
  std::vector<SimulationOutput> outputs;
};

/// Everything ptqc-compare measured.
struct CompareReport {
  std::string mode;  ///< "models" or "folders"
  std::string fp32_source, int8_source;
  int64_t samples = 0;        ///< samples in the per-output metrics
  int64_t layer_samples = 0;  ///< samples in the per-layer part (0: not run)
  std::string params_source;  ///< "om", "record" or "" (folders)
  MetricOptions options;
  std::vector<OutputComparison> outputs;
  std::vector<ValueError> values;           ///< every shared float value, in FP32 graph order
  std::vector<LayerComparison> layers;      ///< in .om order
  std::vector<ActivationHistogram> histograms;
  std::optional<SimulationReport> simulation;
};

/// What `ptqc-compare --model --om --input_list` runs.
struct ModelCompareRequest {
  std::string model;        ///< the FP32 ONNX model
  std::string om;           ///< the INT8 .om compiled from it
  std::string input_list;   ///< one sample per line, one path per input, relative to the list
  std::string input_shape;  ///< ATC's --input_shape, applied to both
  std::string record;       ///< quant_record.json (or its folder); "" = parameters from the .om
  int threads = 1;
  int64_t max_layer_samples = 8;  ///< samples for the per-layer part; 0 skips it
  bool simulate = false;          ///< also run the float simulation of the .om's quantization
  MetricOptions metrics;
};

/// Runs both models on every sample of the list (per-output metrics), and on the first
/// max_layer_samples samples the per-layer analysis. Errors: E19000 for a missing file,
/// E10001 when the .om's inputs or outputs do not match the model or the record does not
/// match the .om, E10004 for an empty list, E19030 for data that does not fit the model.
CompareReport compare_models(const ModelCompareRequest& request);

/// Compares two ptqc-run output folders (outputs.json + output_<i>.bin, or numbered sample
/// folders holding them) with the per-output metrics. Outputs are matched by name, samples
/// by folder name; a difference between the folders is an E19030 error.
CompareReport compare_output_folders(const std::string& fp32_dir, const std::string& int8_dir,
                                     const MetricOptions& options);

/// The report as text: per output, then the 10 worst layers by cumulative and isolated SQNR.
std::string format_text_report(const CompareReport& report);
/// Everything as JSON (docs/compare.md lists the keys; non-finite numbers as "inf", "-inf", "nan").
std::string format_json_report(const CompareReport& report);
/// A self-contained HTML page with inline SVG plots (no scripts, stylesheets or fonts from outside).
std::string format_html_report(const CompareReport& report);
/// Writes DIR/compare.json and DIR/compare.html atomically (DIR is created if needed).
void write_report_files(const std::string& dir, const CompareReport& report);

}  // namespace ptqc
