#pragma once
/// \file
/// Post-training quantization of a float graph, end to end: plan which layers become
/// INT8, calibrate their input activations (or reuse a matching saved record), solve
/// scales/offsets/weights, rewrite to the INT8 graph form, join INT8 neighbours with
/// AscendRequant, and save the record.

#include <optional>
#include <string>
#include <vector>

#include "calib/calibration_runner.h"
#include "ptqc/quant_config.h"
#include "quant/bias_correction.h"
#include "quant/equalization.h"
#include "quant/layer_solver.h"
#include "quant/mixed_precision.h"
#include "quant/weight_rounding.h"
#include "quant/quant_plan.h"
#include "quant/record.h"

namespace ptqc {

struct QuantizeRequest {
  const SocInfo* soc = nullptr;
  LayerSettingsFn settings;
  /// A fresh batch source over the calibration set, and how many batches it yields (-1: unknown).
  std::function<BatchSource()> batches;
  int64_t expected_batches = -1;
  int threads = 1;
  bool show_progress = false;
  std::string record_dir;  ///< out_file_path ("" = do not save or reuse)
  RecordKey record_key;
  bool bias_correction = true;
  /// Cross-layer equalization of the quantized Conv pairs before calibration (equalization.h).
  bool cross_layer_equalization = false;
  /// Ranges that replace the calibrated one of every layer quantizing these values (by value
  /// name): the exact pixel grid of image inputs (QuantConfig::exact_input_ranges).
  std::map<std::string, ActivationRange> exact_ranges;
  /// Automatic mixed precision (quantize_info.accuracy_target); eval_batches gives its held-out
  /// samples, or is empty to hold out the last quarter of the calibration batches (at least one).
  std::optional<AccuracyTarget> accuracy_target;
  std::function<BatchSource()> eval_batches;
  /// The .om keeps float activations and weights in FP16 (force_fp16): float layers are judged so.
  bool float16 = false;
};

/// What the accuracy_target search chose (quantize_info.accuracy_target).
struct MixedPrecisionReport {
  AccuracyTarget target;
  PrecisionSearch search;
  std::vector<std::string> judged_outputs;
  int64_t eval_samples = 0;
  bool held_out_from_calibration = false;  ///< the eval samples are the calibration list's last batches
  double int8_mac_share = 1;               ///< MACs of the layers still INT8 / MACs of every quantizable layer
};

struct QuantizeReport {
  std::vector<LayerDecision> decisions;   ///< every node of the float graph, in order
  std::vector<LayerQuantRecord> records;  ///< the quantized layers
  bool reused_record = false;
  int64_t calibration_batches = 0;
  size_t requant_joins = 0;
  std::optional<WeightRoundingSummary> weight_rounding;
  std::optional<BiasCorrectionSummary> bias_correction;
  std::optional<MixedPrecisionReport> mixed_precision;
  std::optional<EqualizationSummary> equalization;
};

/// Quantizes \p graph in place (docs/quantization.md). The graph must be optimized
/// (BatchNorm folded) and have its inputs' dims bound.
QuantizeReport quantize_graph(Graph& graph, const QuantizeRequest& request);

}  // namespace ptqc
