#pragma once
/// \file
/// ptqc-run's output folders: DIR/outputs.json (name, dtype, shape, file of each output)
/// beside DIR/output_<i>.bin, or numbered sample folders DIR/0000/, DIR/0001/, ... each
/// holding that pair.

#include <string>
#include <utility>
#include <vector>

#include "ptqc/tensor.h"

namespace ptqc {

/// One sample's outputs, in outputs.json order.
struct SampleOutputs {
  std::string sample;  ///< the sample folder's name; "" for a single-sample folder
  std::vector<std::pair<std::string, Tensor>> outputs;
};

/// Reads \p dir: E19000 when it has neither outputs.json nor sample folders holding one, or
/// a file cannot be read; E19030 naming the file when outputs.json is malformed or a .bin
/// does not have the size its dtype and shape give.
std::vector<SampleOutputs> read_output_folder(const std::string& dir);

}  // namespace ptqc
