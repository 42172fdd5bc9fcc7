#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/atc_commands.h"
#include "ptqc/error.h"
#include "ptqc/file_io.h"
#include "ptqc/om.h"

namespace ptqc::cli {

namespace {

OmModel read_om_flag(const AtcFlags& f) {
  if (f.om.empty()) throw Error(ErrorCode::kMissingFlag, "[--om] is required for --mode=" + std::to_string(f.mode));
  return read_om(f.om);
}

std::string dims_text(const ValueInfo& v) {
  std::string s;
  for (size_t i = 0; i < v.dims.size(); ++i) {
    if (i > 0) s += ',';
    s += std::to_string(v.dims[i]);
  }
  return s;
}

}  // namespace

void dump_om_json(const AtcFlags& f) {
  const OmModel model = read_om_flag(f);
  if (f.json.empty()) throw Error(ErrorCode::kMissingFlag, "[--json] is required for --mode=1");
  write_file_atomically(f.json, om_to_json(model).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  std::printf("wrote %s\n", f.json.c_str());
}

void print_om_info(const AtcFlags& f) {
  const OmModel model = read_om_flag(f);
  size_t int8_ops = 0;
  for (const auto& n : model.graph.nodes) int8_ops += n.domain == "ptqc" && n.op_type.rfind("Q", 0) == 0 ? 1 : 0;
  uint64_t weight_bytes = 0;
  for (const auto& w : model.weights) weight_bytes += w.size;
  std::printf("model: %s\nsoc_version: %s\nprecision_mode: %s\nops: %zu (INT8: %zu)\nweights: %llu bytes in %zu tensors\n",
              model.meta.model_name.c_str(), model.meta.soc_version.c_str(), model.meta.precision_mode.c_str(),
              model.graph.nodes.size(), int8_ops, static_cast<unsigned long long>(weight_bytes), model.weights.size());
  std::printf("activation arena: %llu bytes\n", static_cast<unsigned long long>(model.plan.arena_size));
  for (const auto& in : model.graph.inputs) {
    std::printf("input  %s: %s [%s]\n", in.name.c_str(), dtype_name(in.dtype).c_str(), dims_text(in).c_str());
  }
  for (const auto& out : model.graph.outputs) {
    std::printf("output %s: %s [%s]\n", out.name.c_str(), dtype_name(out.dtype).c_str(), dims_text(out).c_str());
  }
  std::printf("source sha256: %s\nptqc version: %s\n", model.meta.source_sha256.c_str(), model.meta.ptqc_version.c_str());
}

}  // namespace ptqc::cli
