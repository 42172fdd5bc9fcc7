#pragma once
/// \file
/// The calibration set of a quantization config: the list file's samples, read lazily and
/// assembled into batches of graph inputs (docs/config.md, "The list file" and "Input files").
/// Memory does not grow with the number of samples: each batch reads its files when asked.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ptqc/graph.h"
#include "ptqc/quant_config.h"
#include "ptqc/tensor.h"

namespace ptqc {

class CalibrationDataset {
 public:
  /// Binds each model_info.input_tensor_info entry to the graph input of its input_name and
  /// scans the list file once: it counts the samples, checks every line's column count, and
  /// checks that the files of the samples to be used exist (and that raw files have the
  /// right size), so a bad set fails before calibration starts.
  ///
  /// \p graph_inputs are the model's runtime inputs with their dims bound; dims[0] is the
  /// batch dim and must be \p batch_size or dynamic (-1); every other dim must be static.
  /// Uses calibration_batch_num batches (-1: every full batch; a final partial batch is
  /// dropped with a warning). Errors: E10001 for a config that does not fit the model (unknown
  /// input name, model input without an entry, mean/std of the wrong channel count, an "img"
  /// input that is not 4-D with 1 or 3 channels); E19000 for a list or sample file
  /// that cannot be read; E19030 for bad contents (columns, sizes, too few samples).
  CalibrationDataset(const QuantConfig& config, const std::vector<ValueInfo>& graph_inputs, int64_t batch_size);
  ~CalibrationDataset();
  CalibrationDataset(CalibrationDataset&&) noexcept;
  CalibrationDataset& operator=(CalibrationDataset&&) noexcept;

  /// Replaces \p inputs with the next batch, one tensor per graph input in graph_inputs order
  /// (the graph input's dtype, dims with N = batch_size). Returns false once batch_count()
  /// batches were produced. E19000/E19030 naming the list file, line and sample file for a
  /// missing, short or undecodable file or one holding NaN/Inf.
  bool next_batch(std::vector<Tensor>& inputs);
  /// Starts again from the first sample (for algorithms that need several passes).
  void rewind();

  /// Samples listed in the list file (non-blank, non-comment lines).
  int64_t sample_count() const;
  /// SHA-256 (hex) over the samples to be used: for each file in list order, its path as
  /// listed, its size and its bytes. It changes when any of them does, so a calibration
  /// record made from other data is not reused (quant/record.h).
  const std::string& data_fingerprint() const;
  /// Batches next_batch produces in one pass.
  int64_t batch_count() const;
  int64_t batch_size() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ptqc
