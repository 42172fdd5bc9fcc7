#pragma once
/// \file
/// How one model_info.input_tensor_info entry maps onto a graph input: the sample shape a
/// file must fill, the image geometry of "img" inputs, and the conversion to the graph's dtype.

#include <cstdint>
#include <string>
#include <vector>

#include "ptqc/graph.h"
#include "ptqc/quant_config.h"

namespace ptqc {

struct InputBinding {
  InputTensorInfo info;
  size_t graph_position = 0;  ///< index into the graph inputs (and into next_batch's tensors)
  DataType graph_dtype = DataType::kFloat32;
  Shape sample_shape;  ///< the graph input's dims with N = 1
  Shape batch_shape;   ///< the graph input's dims with N = the batch size
  /// "img" inputs: the model's H, W, C (from sample_shape and net_format).
  int64_t height = 0;
  int64_t width = 0;
  int64_t channels = 0;

  /// Bytes of one sample in the file's element type (output_data_type) for "data" inputs.
  size_t data_file_bytes() const;
  /// Elements of one sample.
  int64_t sample_numel() const { return shape_numel(sample_shape); }
};

/// Binds every entry of \p config.inputs (in index order) to the graph input of the same name.
/// Every graph input needs exactly one entry. Errors (E10001, naming the config file and the
/// input): unknown input_name (with the closest graph input), a graph input without an entry,
/// no shape, a dynamic dim other than dim 0, dim 0 neither -1 nor \p batch_size, an "img" input
/// that is not 4-D or has other than 1 or 3 channels, mean/std with neither 1 nor C values.
std::vector<InputBinding> bind_inputs(const QuantConfig& config, const std::vector<ValueInfo>& graph_inputs,
                                      int64_t batch_size);

}  // namespace ptqc
