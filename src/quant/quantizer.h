#pragma once
/// \file
/// Post-training quantization of a float graph, end to end: plan which layers become
/// INT8, calibrate their input activations (or reuse a matching saved record), solve
/// scales/offsets/weights, rewrite to the INT8 graph form, join INT8 neighbours with
/// AscendRequant, and save the record.

#include <string>
#include <vector>

#include "calib/calibration_runner.h"
#include "quant/layer_solver.h"
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
};

struct QuantizeReport {
  std::vector<LayerDecision> decisions;   ///< every node of the float graph, in order
  std::vector<LayerQuantRecord> records;  ///< the quantized layers
  bool reused_record = false;
  int64_t calibration_batches = 0;
  size_t requant_joins = 0;
};

/// Quantizes \p graph in place (docs/quantization.md). The graph must be optimized
/// (BatchNorm folded) and have its inputs' dims bound.
QuantizeReport quantize_graph(Graph& graph, const QuantizeRequest& request);

}  // namespace ptqc
