#include <spdlog/spdlog.h>

#include <cstring>
#include <filesystem>

#include "calib/input_binding.h"
#include "calib/list_file.h"
#include "calib/sample_reader.h"
#include "ptqc/calibration_dataset.h"
#include "ptqc/checksum.h"
#include "ptqc/error.h"
#include "ptqc/file_io.h"

namespace ptqc {

namespace {

std::vector<std::string> input_names(const std::vector<InputBinding>& bindings) {
  std::vector<std::string> names;
  for (const InputBinding& b : bindings) names.push_back(b.info.input_name);
  return names;
}

/// Opens the list file; when it is missing but a file of that name sits in dataset_path, says so
/// (the list file is relative to the config's folder, the samples to dataset_path).
ListFile open_list(const QuantConfig& config, const std::vector<InputBinding>& bindings) {
  namespace fs = std::filesystem;
  const DatasetInfo& dataset = config.dataset;
  std::error_code ec;
  if (!fs::exists(dataset.image_list_file, ec)) {  // other kinds of file are refused by ListFile
    const fs::path beside_data = fs::path(dataset.dataset_path) / fs::path(dataset.image_list_file).filename();
    const std::string hint =
        fs::is_regular_file(beside_data, ec)
            ? " (relative paths are taken from the config file's folder; did you mean " + beside_data.string() + "?)"
            : "";
    throw Error(ErrorCode::kFileIo,
                config.config_path + ": " + dataset.list_key + ": no such file " + dataset.image_list_file + hint);
  }
  return ListFile(dataset.image_list_file, input_names(bindings));
}

}  // namespace

struct CalibrationDataset::Impl {
  std::string dataset_path;
  std::vector<InputBinding> bindings;  ///< in index order = list file column order
  size_t graph_input_count = 0;
  int64_t batch_size = 0;
  int64_t samples = 0;
  int64_t batches = 0;
  int64_t produced = 0;  ///< batches produced since the last rewind
  ListFile list;
  std::string data_fingerprint;

  /// A list file path: relative to dataset_path unless absolute.
  std::string resolve(const std::string& column) const {
    const std::filesystem::path p(column);
    return (p.is_absolute() ? p : std::filesystem::path(dataset_path) / p).lexically_normal().string();
  }

  /// check_sample_file, with a hint when a missing path exists relative to the list file's
  /// folder instead of dataset_path (the seed's example writes such lists).
  void check_listed_file(const InputBinding& binding, const ListSample& sample, size_t column) const {
    try {
      check_sample_file(binding, resolve(sample.columns[column]), list.where(sample.line));
    } catch (const Error& e) {
      const std::filesystem::path beside_list =
          std::filesystem::path(list.path()).parent_path() / sample.columns[column];
      std::error_code ec;
      if (e.code() != ErrorCode::kFileIo || !std::filesystem::exists(beside_list, ec)) throw;
      throw Error(e.code(), e.message() + " (list paths are relative to dataset_info.dataset_path " + dataset_path +
                                ", but " + beside_list.lexically_normal().string() +
                                " exists relative to the list file's folder)");
    }
  }

  /// Counts the samples and checks every line's columns, and the files of the first
  /// \p used_samples, which it also hashes into data_fingerprint.
  int64_t scan(int64_t used_samples) {
    int64_t count = 0;
    ListSample sample;
    Sha256Stream digest;
    while (list.next(sample)) {
      if (used_samples < 0 || count < used_samples) {
        for (size_t i = 0; i < bindings.size(); ++i) {
          check_listed_file(bindings[i], sample, i);
          const std::string bytes = read_file_bytes(resolve(sample.columns[i]), kMaxImageFileBytes, list.where(sample.line));
          const std::string entry = sample.columns[i] + '\0' + std::to_string(bytes.size()) + '\0';
          digest.update(entry);
          digest.update(bytes);
        }
      }
      ++count;
    }
    list.rewind();
    data_fingerprint = digest.hex();
    return count;
  }
};

CalibrationDataset::CalibrationDataset(const QuantConfig& config, const std::vector<ValueInfo>& graph_inputs,
                                       int64_t batch_size) {
  if (batch_size < 1) {
    throw Error(ErrorCode::kInvalidValue, "calibration batch size must be positive, got " + std::to_string(batch_size));
  }
  std::vector<InputBinding> bindings = bind_inputs(config, graph_inputs, batch_size);
  ListFile list = open_list(config, bindings);
  impl_ = std::make_unique<Impl>(Impl{config.dataset.dataset_path, std::move(bindings), graph_inputs.size(), batch_size,
                                      0, 0, 0, std::move(list), ""});
  const int64_t wanted = config.calibration_batch_num;
  impl_->samples = impl_->scan(wanted < 0 ? -1 : wanted * batch_size);

  const int64_t full_batches = impl_->samples / batch_size;
  const std::string list_path = config.dataset.image_list_file;
  const std::string available = std::to_string(impl_->samples) + " sample(s), " + std::to_string(full_batches) +
                                " full batch(es) of " + std::to_string(batch_size);
  if (full_batches == 0) {
    throw Error(ErrorCode::kInvalidData,
                list_path + ": not enough calibration samples for one batch (" + available + ")");
  }
  if (wanted > full_batches) {
    throw Error(ErrorCode::kInvalidData, list_path + ": quantize_info.calibration_batch_num is " +
                                             std::to_string(wanted) + " but the list has " + available);
  }
  impl_->batches = wanted < 0 ? full_batches : wanted;
  if (wanted < 0 && impl_->samples % batch_size != 0) {
    spdlog::warn("{}: the last {} sample(s) do not fill a batch of {} and are not used", list_path,
                 impl_->samples % batch_size, batch_size);
  }
  spdlog::info("{}: calibrating on {} batch(es) of {} ({} sample(s) listed)", list_path, impl_->batches, batch_size,
               impl_->samples);
}

CalibrationDataset::~CalibrationDataset() = default;
CalibrationDataset::CalibrationDataset(CalibrationDataset&&) noexcept = default;
CalibrationDataset& CalibrationDataset::operator=(CalibrationDataset&&) noexcept = default;

bool CalibrationDataset::next_batch(std::vector<Tensor>& inputs) {
  Impl& d = *impl_;
  if (d.produced == d.batches) return false;
  inputs.assign(d.graph_input_count, Tensor());
  for (const InputBinding& b : d.bindings) inputs[b.graph_position] = Tensor(b.graph_dtype, b.batch_shape);
  ListSample sample;
  for (int64_t n = 0; n < d.batch_size; ++n) {
    if (!d.list.next(sample)) {
      throw Error(ErrorCode::kFileIo, d.list.path() + ": the file became shorter during calibration");
    }
    for (size_t i = 0; i < d.bindings.size(); ++i) {
      const InputBinding& b = d.bindings[i];
      const Tensor one = read_sample(b, d.resolve(sample.columns[i]), d.list.where(sample.line));
      Tensor& batch = inputs[b.graph_position];
      std::memcpy(batch.raw() + static_cast<size_t>(n) * one.nbytes(), one.raw(), one.nbytes());
    }
  }
  ++d.produced;
  return true;
}

void CalibrationDataset::rewind() {
  impl_->list.rewind();
  impl_->produced = 0;
}

int64_t CalibrationDataset::sample_count() const { return impl_->samples; }
const std::string& CalibrationDataset::data_fingerprint() const { return impl_->data_fingerprint; }
int64_t CalibrationDataset::batch_count() const { return impl_->batches; }
int64_t CalibrationDataset::batch_size() const { return impl_->batch_size; }

}  // namespace ptqc
