#pragma once
/// \file
/// Sample files of a model run (ptqc-run, ptqc-bench, ptqc-compare): raw little-endian `.bin`
/// tensors, one per model input, and the --input_list file that names many samples (one sample
/// per line, one path per model input separated by spaces, relative to the list file's folder;
/// blank lines skipped).

#include <string>
#include <vector>

#include "ptqc/graph.h"
#include "ptqc/tensor.h"

namespace ptqc {

/// Reads one raw little-endian sample for graph input \p info. The file holds
/// elements of the declared type (float16 inputs: float16 bytes). A dynamic dim is
/// inferred from the file size when it is the only one; otherwise --input_shape is needed.
/// E19030 names the file with the expected and found byte counts.
Tensor read_input_file(const std::string& path, const ValueInfo& info);

/// The samples of \p path, each one path per input (resolved against the list's folder).
/// E19000 when the list cannot be read, E10001 naming "file:line" when a line does not
/// have \p num_inputs paths, E10004 when it has no sample.
std::vector<std::vector<std::string>> read_input_list(const std::string& path, size_t num_inputs);

}  // namespace ptqc
