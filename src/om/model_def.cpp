#include "om/model_def.h"

#include <algorithm>
#include <set>

#include "om/corrupt_file.h"
#include "om/om_header.h"
#include "om/op_def.h"

namespace ptqc {

namespace {

void encode_value(const std::string& name, const ValueInfo& info, proto::ValueDesc& desc) {
  desc.set_name(name);
  desc.set_dtype(static_cast<int32_t>(info.dtype));
  desc.set_has_shape(info.has_shape);
  if (info.has_shape) desc.mutable_dims()->Add(info.dims.begin(), info.dims.end());
  desc.set_declared_dtype(static_cast<int32_t>(info.declared_dtype));
}

/// \p code as a DataType; 0 (unknown) is allowed.
DataType decode_dtype(int32_t code, const std::string& what, const std::string& origin) {
  if (code != 0 && !is_supported_dtype(code)) {
    throw_corrupt_om(origin, what + " has the unknown element type " + std::to_string(code));
  }
  return static_cast<DataType>(code);
}

ValueInfo decode_value(const proto::ValueDesc& desc, const std::string& role, const std::string& origin) {
  const std::string what = role + " '" + desc.name() + "'";
  ValueInfo info;
  info.name = desc.name();
  info.dtype = decode_dtype(desc.dtype(), what, origin);
  info.declared_dtype = decode_dtype(desc.declared_dtype(), what, origin);
  info.has_shape = desc.has_shape();
  info.dims.assign(desc.dims().begin(), desc.dims().end());
  if (!info.has_shape && !info.dims.empty()) throw_corrupt_om(origin, what + " has dims but no shape");
  if (std::any_of(info.dims.begin(), info.dims.end(), [](int64_t d) { return d < -1; })) {
    throw_corrupt_om(origin, what + " has the invalid shape " + shape_string(info.dims));
  }
  return info;
}

std::vector<ValueInfo> decode_values(const google::protobuf::RepeatedPtrField<proto::ValueDesc>& descs,
                                     const std::string& role, const std::string& origin) {
  std::vector<ValueInfo> out;
  for (const auto& desc : descs) out.push_back(decode_value(desc, role, origin));
  return out;
}

}  // namespace

void encode_model_def(const Graph& graph, const OmMetadata& meta, WeightsWriter& weights, proto::ModelDef& def) {
  def.set_om_ir_version(kOmIrVersion);
  def.set_name(meta.model_name);
  def.set_soc_version(meta.soc_version);
  def.set_precision_mode(meta.precision_mode);
  def.set_ptqc_version(meta.ptqc_version);
  def.set_source_sha256(meta.source_sha256);
  def.set_float_weights_fp16(meta.float_weights_fp16);
  for (const std::string& name : meta.equalized_layers) def.add_equalized_layers(name);

  proto::GraphDef& g = *def.mutable_graph();
  g.set_name(graph.name);
  g.set_opset(graph.opset);
  for (const auto& v : graph.inputs) encode_value(v.name, v, *g.add_input());
  for (const auto& v : graph.outputs) encode_value(v.name, v, *g.add_output());
  for (const auto& [name, info] : graph.value_info) encode_value(name, info, *g.add_value_info());

  std::set<std::string> written;
  auto write_constant = [&](const std::string& name) {
    const Tensor* tensor = graph.constant(name);
    if (!tensor || !written.insert(name).second) return;
    proto::ConstantDef& c = *g.add_constant();
    c.set_name(name);
    *c.mutable_data() = weights.append(*tensor, true, "constant '" + name + "'");
  };
  for (const Node& node : graph.nodes) {
    for (const auto& in : node.inputs) write_constant(in);
    encode_op(node, weights, *g.add_op());
  }
  for (const auto& [name, tensor] : graph.initializers) write_constant(name);
}

DecodedModel decode_model_def(const proto::ModelDef& def, std::string_view weights, const std::string& origin) {
  if (def.om_ir_version() != kOmIrVersion) {
    throw_corrupt_om(origin, "MODEL_DEF has schema version " + std::to_string(def.om_ir_version()) +
                                 "; ptqc reads version " + std::to_string(kOmIrVersion));
  }
  DecodedModel out;
  out.meta.model_name = def.name();
  out.meta.soc_version = def.soc_version();
  out.meta.precision_mode = def.precision_mode();
  out.meta.ptqc_version = def.ptqc_version();
  out.meta.source_sha256 = def.source_sha256();
  out.meta.float_weights_fp16 = def.float_weights_fp16();
  out.meta.equalized_layers.assign(def.equalized_layers().begin(), def.equalized_layers().end());

  const proto::GraphDef& g = def.graph();
  Graph& graph = out.graph;
  graph.name = g.name();
  graph.opset = g.opset();
  graph.inputs = decode_values(g.input(), "graph input", origin);
  graph.outputs = decode_values(g.output(), "graph output", origin);
  for (const auto& desc : g.value_info()) {
    ValueInfo info = decode_value(desc, "value", origin);
    if (!graph.value_info.emplace(info.name, info).second) {
      throw_corrupt_om(origin, "value '" + desc.name() + "' has two type entries");
    }
  }
  for (const auto& c : g.constant()) {
    const std::string what = "constant '" + c.name() + "'";
    Tensor tensor = read_weight(c.data(), weights, origin, what);
    if (!graph.initializers.emplace(c.name(), std::move(tensor)).second) {
      throw_corrupt_om(origin, what + " is defined twice");
    }
    out.weights.push_back(describe_weight(c.data(), c.name()));
  }
  for (const auto& op : g.op()) graph.nodes.push_back(decode_op(op, weights, origin, out.weights));
  std::stable_sort(out.weights.begin(), out.weights.end(),
                   [](const OmWeight& a, const OmWeight& b) { return a.offset < b.offset; });
  try {
    validate(graph);
  } catch (const Error& e) {
    throw_corrupt_om(origin, e.message());
  }
  return out;
}

}  // namespace ptqc
