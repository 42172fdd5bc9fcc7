#pragma once
/// \file
/// The calibration record in out_file_path: AMCT's `record.txt` (protobuf text form,
/// one `record { key: "<layer>" value { scale_d offset_d scale_w... offset_w... } }` per
/// quantized layer) and ptqc's `quant_record.json` (ranges, parameters, and what they
/// were computed from, so a later run with the same model and config can skip calibration).

#include <optional>
#include <string>
#include <vector>

#include "quant/layer_solver.h"

namespace ptqc {

/// What a record was computed from; a saved record is reused only when all match.
struct RecordKey {
  std::string model_sha256;
  std::string config_fingerprint;
  std::string input_shapes;  ///< the bound input shapes, "name:1x3x224x224;..."
  std::string calibration_data;  ///< CalibrationDataset::data_fingerprint: the samples' paths, sizes and bytes
  int64_t batches = 0;       ///< calibration batches (informational)
};

/// AMCT's record.txt text for \p layers.
std::string format_amct_record(const std::vector<LayerQuantRecord>& layers);

/// ptqc's JSON record.
std::string format_json_record(const RecordKey& key, const std::vector<LayerQuantRecord>& layers);

/// Writes record.txt and quant_record.json into \p dir (created if needed), atomically.
void write_records(const std::string& dir, const RecordKey& key, const std::vector<LayerQuantRecord>& layers);

/// The layer records saved in \p dir when its quant_record.json matches \p key (model hash,
/// config fingerprint, input shapes, calibration data); nullopt when absent, stale or unreadable (logged).
std::optional<std::vector<LayerQuantRecord>> load_matching_record(const std::string& dir, const RecordKey& key);

}  // namespace ptqc
