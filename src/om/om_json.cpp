/// \file
/// om_to_json: the readable dump of ATC's --mode=1.

#include <nlohmann/json.hpp>

#include "ptqc/checksum.h"
#include "om/partition_table.h"
#include "ptqc/om.h"

namespace ptqc {

namespace {

using nlohmann::json;

json header_json(const OmFileHeader& h) {
  return {{"magic", h.magic},
          {"headsize", h.headsize},
          {"version", h.version},
          {"checksum", hex_string(h.checksum.data(), h.checksum.size())},
          {"length", h.length},
          {"is_encrypt", h.is_encrypt},
          {"is_checksum", h.is_checksum},
          {"modeltype", h.modeltype},
          {"genmode", h.genmode},
          {"name", h.name},
          {"ops", h.ops},
          {"userdefineinfo", h.userdefineinfo},
          {"om_ir_version", h.om_ir_version},
          {"model_num", h.model_num},
          {"platform_version", h.platform_version},
          {"platform_type", h.platform_type}};
}

json value_json(const ValueInfo& v) {
  return {{"name", v.name}, {"dtype", dtype_name(v.dtype)}, {"shape", v.has_shape ? json(v.dims) : json(nullptr)}};
}

json values_json(const std::vector<ValueInfo>& values) {
  json out = json::array();
  for (const auto& v : values) out.push_back(value_json(v));
  return out;
}

json attr_json(const Attribute& a) {
  switch (a.kind) {
    case Attribute::Kind::kInt: return a.i;
    case Attribute::Kind::kFloat: return a.f;
    case Attribute::Kind::kString: return a.s;
    case Attribute::Kind::kInts: return a.ints;
    case Attribute::Kind::kFloats: return a.floats;
    case Attribute::Kind::kStrings: return a.strings;
    case Attribute::Kind::kTensor: return {{"tensor", {{"dtype", dtype_name(a.t.dtype())}, {"shape", a.t.shape()}}}};
  }
  return nullptr;
}

json graph_json(const Graph& g) {
  json ops = json::array();
  for (const Node& n : g.nodes) {
    json attrs = json::object();
    for (const auto& [key, a] : n.attrs) attrs[key] = attr_json(a);
    ops.push_back({{"name", n.name},
                   {"type", n.op_type},
                   {"domain", n.domain},
                   {"inputs", n.inputs},
                   {"outputs", n.outputs},
                   {"attributes", attrs}});
  }
  json value_info = json::array();
  for (const auto& [name, info] : g.value_info) value_info.push_back(value_json(info));
  return {{"name", g.name},
          {"opset", g.opset},
          {"inputs", values_json(g.inputs)},
          {"outputs", values_json(g.outputs)},
          {"value_info", value_info},
          {"ops", ops}};
}

json weights_json(const OmModel& m) {
  json tensors = json::array();
  for (const OmWeight& w : m.weights) {
    tensors.push_back({{"owner", w.owner},
                       {"dtype", dtype_name(w.dtype)},
                       {"stored_dtype", dtype_name(w.stored_dtype)},
                       {"shape", w.dims},
                       {"offset", w.offset},
                       {"size", w.size}});
  }
  uint64_t total = 0;
  for (const OmPartition& p : m.partitions) {
    if (p.type == OmPartitionType::kWeightsData) total = p.size;
  }
  return {{"total_bytes", total}, {"count", m.weights.size()}, {"tensors", tensors}};
}

json plan_json(const ExecutionPlan& plan) {
  json tasks = json::array();
  for (const auto& t : plan.tasks) tasks.push_back({{"op", t.op_name}, {"kernel", t.kernel}});
  json values = json::array();
  for (const auto& v : plan.values) {
    values.push_back({{"name", v.name},
                      {"offset", v.offset},
                      {"size", v.size},
                      {"first_op", v.first_op},
                      {"last_op", v.last_op}});
  }
  return {{"arena_size", plan.arena_size}, {"tasks", tasks}, {"values", values}};
}

}  // namespace

json om_to_json(const OmModel& m) {
  json partitions = json::array();
  for (const OmPartition& p : m.partitions) {
    partitions.push_back({{"type", partition_type_name(p.type)},
                          {"type_id", static_cast<uint32_t>(p.type)},
                          {"offset", p.offset},
                          {"size", p.size}});
  }
  return {{"header", header_json(m.header)},
          {"partitions", partitions},
          {"model",
           {{"name", m.meta.model_name},
            {"soc_version", m.meta.soc_version},
            {"precision_mode", m.meta.precision_mode},
            {"ptqc_version", m.meta.ptqc_version},
            {"source_sha256", m.meta.source_sha256},
            {"float_weights_fp16", m.meta.float_weights_fp16},
            {"equalized_layers", m.meta.equalized_layers}}},
          {"graph", graph_json(m.graph)},
          {"weights", weights_json(m)},
          {"task_info", plan_json(m.plan)}};
}

}  // namespace ptqc
