#pragma once
/// \file
/// One sample file of one input -> a tensor of the graph input's dtype with N = 1.
/// "data": raw little-endian elements of output_data_type, converted to the graph dtype.
/// "img": a PNG/JPEG/BMP image (decoded, converted to the model's channel count, resized to
/// its H x W) or a raw HWC uint8 ".bin" of exactly the model's H x W x C; then normalized
/// (x - mean[c]) / std[c] on 0..255 values, laid out per net_format, rounded to
/// output_data_type and converted to the graph dtype. Float results must be finite.

#include <string>

#include "calib/input_binding.h"
#include "ptqc/tensor.h"

namespace ptqc {

/// Checks without reading it that \p file exists and, for a raw file ("data", or an "img"
/// ".bin"), has the size of one sample. \p where ("list.txt:12") and the file name the error:
/// E19000 for a missing file, E19030 for a wrong size.
void check_sample_file(const InputBinding& binding, const std::string& file, const std::string& where);

/// Reads the sample in \p file for \p binding: a tensor of binding.sample_shape and
/// binding.graph_dtype. E19000 when the file cannot be read; E19030 naming \p where, the file
/// and the input for a wrong size (expected vs found bytes), an undecodable image, or a NaN/Inf
/// value (checked in the file's type and again after each conversion).
Tensor read_sample(const InputBinding& binding, const std::string& file, const std::string& where);

}  // namespace ptqc
