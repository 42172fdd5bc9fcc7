#include <google/protobuf/arena.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>
#include <onnx/version_converter/convert.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <climits>
#include <filesystem>
#include <map>
#include <set>

#include "frontend/isolated_call.h"
#include "frontend/tensor_proto.h"
#include "ptqc/error.h"
#include "ptqc/file_io.h"
#include "ptqc/onnx_frontend.h"

namespace ptqc {

namespace {

bool is_default_domain(const std::string& domain) { return domain.empty() || domain == "ai.onnx"; }

int64_t default_opset(const onnx::ModelProto& model, const std::string& path) {
  int64_t opset = -1;
  for (const auto& imp : model.opset_import()) {
    if (!is_default_domain(imp.domain())) continue;
    if (opset >= 0) {
      throw Error(ErrorCode::kInvalidModel, path + ": the model imports the default ONNX domain twice (opsets " +
                                                std::to_string(opset) + " and " + std::to_string(imp.version()) + ")");
    }
    opset = imp.version();
  }
  if (opset < 0) {
    // IR version 3 and later always import the default domain; older files are out of our range anyway.
    throw Error(ErrorCode::kUnsupportedOp, path + ": the model does not import the default ONNX opset");
  }
  if (opset < 1 || opset > kMaxOpset) {
    throw Error(ErrorCode::kUnsupportedOp, path + ": opset " + std::to_string(opset) + " is not supported (ptqc reads opsets 1 to " + std::to_string(kMaxOpset) + ")");
  }
  return opset;
}

/// A bound input must fit in memory (E10001 before anything is allocated for it).
void check_bound_input_size(const onnx::ValueInfoProto& input, const Shape& dims) {
  if (std::any_of(dims.begin(), dims.end(), [](int64_t d) { return d < 0; })) return;
  const int32_t elem = input.type().tensor_type().elem_type();
  const DataType dtype = is_supported_dtype(elem) ? static_cast<DataType>(elem) : DataType::kUInt8;
  checked_tensor_bytes(dims, dtype, "Value [" + input.name() + "] for parameter [--input_shape] is invalid. Reason: input '" +
                                        input.name() + "'",
                       ErrorCode::kInvalidValue);
}

/// Writes --input_shape dims into the model's graph inputs so ONNX shape inference sees them.
void bind_input_shapes(onnx::ModelProto& model, const InputShapes& shapes, const std::set<std::string>& initializers) {
  std::set<std::string> known;
  for (auto& input : *model.mutable_graph()->mutable_input()) {
    if (initializers.count(input.name())) continue;
    known.insert(input.name());
    auto it = shapes.find(input.name());
    if (it == shapes.end()) continue;
    auto* tensor_type = input.mutable_type()->mutable_tensor_type();
    const Shape& dims = it->second;
    if (tensor_type->has_shape() && tensor_type->shape().dim_size() != static_cast<int>(dims.size())) {
      throw Error(ErrorCode::kInvalidValue,
                  "Value [" + input.name() + "] for parameter [--input_shape] is invalid. Reason: the model input has rank " +
                      std::to_string(tensor_type->shape().dim_size()) + " but " + std::to_string(dims.size()) +
                      " dims were given");
    }
    for (size_t i = 0; i < dims.size(); ++i) {
      auto* dim = tensor_type->shape().dim_size() > static_cast<int>(i) ? tensor_type->mutable_shape()->mutable_dim(static_cast<int>(i))
                                                                         : tensor_type->mutable_shape()->add_dim();
      if (dims[i] < 0) continue;  // -1: keep what the model says
      if (dim->has_dim_value() && dim->dim_value() != dims[i]) {
        throw Error(ErrorCode::kInvalidValue, "Value [" + input.name() + "] for parameter [--input_shape] is invalid. Reason: dim " +
                                                  std::to_string(i) + " is fixed to " + std::to_string(dim->dim_value()) +
                                                  " in the model, got " + std::to_string(dims[i]));
      }
      dim->set_dim_value(dims[i]);
    }
    check_bound_input_size(input, dims);
  }
  for (const auto& [name, dims] : shapes) {
    if (!known.count(name)) {
      std::string valid;
      for (const auto& k : known) valid += (valid.empty() ? "" : ", ") + k;
      throw Error(ErrorCode::kInvalidValue, "Value [" + name +
                                                "] for parameter [--input_shape] is invalid. Reason: the model has no input named '" +
                                                name + "' (inputs: " + valid + ")");
    }
  }
}


/// Opset 6 PRelu broadcast a 1-D slope over the channel axis (dim 1); opset 7 uses
/// numpy broadcasting, which aligns it with the last axis. A constant [C] slope of a
/// rank-r input becomes [C, 1, ..., 1] (r - 1 dims) so the meaning is kept.
void adapt_legacy_prelu(onnx::ModelProto& model) {
  auto* g = model.mutable_graph();
  std::map<std::string, int> rank_of;
  auto note_rank = [&](const onnx::ValueInfoProto& v) {
    if (v.type().tensor_type().has_shape()) rank_of[v.name()] = v.type().tensor_type().shape().dim_size();
  };
  for (const auto& v : g->input()) note_rank(v);
  for (const auto& v : g->value_info()) note_rank(v);
  for (const auto& node : g->node()) {
    if (node.op_type() != "PRelu" || node.input_size() != 2 || !rank_of.count(node.input(0))) continue;
    for (auto& init : *g->mutable_initializer()) {
      if (init.name() != node.input(1) || init.dims_size() != 1 || init.dims(0) == 1) continue;
      for (int k = 2; k < rank_of[node.input(0)]; ++k) init.add_dims(1);
    }
  }
}

/// ONNX's shape inference and version converter on \p model: opset 7, or the error text.
std::string converted_or_error(onnx::ModelProto& model) {
  try {
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(),
                                       onnx::ShapeInferenceOptions(false, 0, true));
  } catch (const std::exception& e) {
    spdlog::warn("ONNX shape inference failed before the opset upgrade: {}", e.what());
  }
  adapt_legacy_prelu(model);
  try {
    model = onnx::version_conversion::ConvertVersion(model, static_cast<int>(kMinOpset));
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

/// Opsets 1-6 (old exporters, the pytorch-* backend tests) are upgraded to opset 7
/// with ONNX's version converter, so kernels only see the opset 7+ forms (e.g. numpy
/// broadcasting instead of the broadcast/axis attributes). The converter needs shapes,
/// so ONNX's shape inference runs first. Neither is hardened against hostile models (a
/// blocksize of 2^32 divides by zero there, other inputs crash it), so both run in a
/// child process (run_isolated): a crash or hang there becomes an E19020 error.
int64_t upgrade_legacy_opset(onnx::ModelProto& model, int64_t opset, const std::string& path) {
  if (opset >= kMinOpset) return opset;
  const std::string fail = path + ": opset " + std::to_string(opset) + " cannot be upgraded to opset " +
                           std::to_string(kMinOpset);
  constexpr int kTimeoutSeconds = 300;
  const IsolatedResult result = run_isolated(
      [&] {
        const std::string error = converted_or_error(model);
        std::string reply(1, error.empty() ? 'M' : 'E');  // appended, not "M" + ...: GCC 12 -Wrestrict
        reply += error.empty() ? model.SerializeAsString() : error;
        return reply;
      },
      kTimeoutSeconds);
  if (result.outcome == IsolatedResult::Outcome::kTimedOut) {
    throw Error(ErrorCode::kInvalidModel, fail + ": ONNX's shape inference or version converter did not finish in " +
                                              std::to_string(kTimeoutSeconds) + " s");
  }
  if (result.outcome == IsolatedResult::Outcome::kCrashed) {
    throw Error(ErrorCode::kInvalidModel, fail + ": ONNX's shape inference or version converter crashed on it" +
                                              (result.signal ? " (signal " + std::to_string(result.signal) + ")" : ""));
  }
  const std::string& reply = result.reply;
  if (!reply.empty() && reply[0] == 'E') throw Error(ErrorCode::kUnsupportedOp, fail + ": " + reply.substr(1));
  if (reply.empty() || reply.size() - 1 > INT_MAX || !model.ParseFromArray(reply.data() + 1, static_cast<int>(reply.size() - 1))) {
    throw Error(ErrorCode::kInternal, fail + ": the converted model does not parse");
  }
  spdlog::info("{}: upgraded from opset {} to {}", path, opset, kMinOpset);
  return kMinOpset;
}

ValueInfo value_info_from_proto(const onnx::ValueInfoProto& proto) {
  ValueInfo info;
  info.name = proto.name();
  if (!proto.type().has_tensor_type()) {
    throw Error(ErrorCode::kUnsupportedOp, "value '" + proto.name() + "': only tensor values are supported (no sequences or maps)");
  }
  const auto& tt = proto.type().tensor_type();
  if (tt.elem_type() != 0 && !is_supported_dtype(tt.elem_type())) {
    throw Error(ErrorCode::kUnsupportedOp, "value '" + proto.name() + "': element type " + std::to_string(tt.elem_type()) +
                                               " (ONNX TensorProto.DataType) is not supported");
  }
  info.dtype = static_cast<DataType>(tt.elem_type());
  if (tt.has_shape()) {
    info.has_shape = true;
    for (const auto& d : tt.shape().dim()) info.dims.push_back(d.has_dim_value() ? d.dim_value() : -1);
  }
  return info;
}

Attribute attribute_from_proto(const onnx::AttributeProto& a, const Node& node, const std::string& model_dir) {
  Attribute out;
  switch (a.type()) {
    case onnx::AttributeProto::INT: out.kind = Attribute::Kind::kInt; out.i = a.i(); break;
    case onnx::AttributeProto::FLOAT: out.kind = Attribute::Kind::kFloat; out.f = a.f(); break;
    case onnx::AttributeProto::STRING: out.kind = Attribute::Kind::kString; out.s = a.s(); break;
    case onnx::AttributeProto::INTS:
      out.kind = Attribute::Kind::kInts;
      out.ints.assign(a.ints().begin(), a.ints().end());
      break;
    case onnx::AttributeProto::FLOATS:
      out.kind = Attribute::Kind::kFloats;
      out.floats.assign(a.floats().begin(), a.floats().end());
      break;
    case onnx::AttributeProto::STRINGS:
      out.kind = Attribute::Kind::kStrings;
      out.strings.assign(a.strings().begin(), a.strings().end());
      break;
    case onnx::AttributeProto::TENSOR:
      out.kind = Attribute::Kind::kTensor;
      out.t = tensor_from_proto(a.t(), model_dir, node.describe() + " attribute '" + a.name() + "'");
      break;
    default:
      throw Error(ErrorCode::kUnsupportedOp, node.describe() + ": attribute '" + a.name() +
                                                 "' is a graph, sparse tensor or type attribute (control flow such as If/Loop/Scan is not supported)");
  }
  return out;
}

Node node_from_proto(const onnx::NodeProto& proto, size_t index, const std::string& model_dir) {
  Node node;
  node.op_type = proto.op_type();
  node.domain = proto.domain();
  node.name = proto.name().empty() ? proto.op_type() + "_" + std::to_string(index) : proto.name();
  node.inputs.assign(proto.input().begin(), proto.input().end());
  node.outputs.assign(proto.output().begin(), proto.output().end());
  for (const auto& a : proto.attribute()) {
    if (!a.ref_attr_name().empty()) {
      throw Error(ErrorCode::kUnsupportedOp, node.describe() + ": attribute references (model functions) are not supported");
    }
    if (!node.attrs.emplace(a.name(), attribute_from_proto(a, node, model_dir)).second) {
      throw Error(ErrorCode::kInvalidModel, node.describe() + ": attribute '" + a.name() + "' is given twice");
    }
  }
  return node;
}

/// A Constant node's value as a tensor (value, value_float(s), value_int(s)).
Tensor constant_value(const Node& node) {
  if (node.attrs.size() != 1) throw Error(ErrorCode::kInvalidModel, node.describe() + ": a Constant needs exactly one value attribute");
  const auto& [key, a] = *node.attrs.begin();
  if (key == "value") return a.t;
  if (key == "value_float") return Tensor::scalar<float>(node.attr_float(key, 0));
  if (key == "value_int") return Tensor::scalar<int64_t>(node.attr_int(key, 0));
  if (key == "value_floats") {
    auto v = node.attr_floats(key);
    return Tensor::from_vector<float>(v, {static_cast<int64_t>(v.size())});
  }
  if (key == "value_ints") {
    auto v = node.attr_ints(key);
    return Tensor::from_vector<int64_t>(v, {static_cast<int64_t>(v.size())});
  }
  throw Error(ErrorCode::kUnsupportedOp, node.describe() + ": Constant attribute '" + key + "' is not supported");
}

bool is_half(DataType t) { return t == DataType::kFloat16 || t == DataType::kBFloat16; }

/// Rewrites a float16/bfloat16 graph to run in float32 (see LoadOptions::promote_float16).
void promote_half_types(Graph& graph) {
  for (auto& [name, t] : graph.initializers) {
    if (is_half(t.dtype())) t = cast_tensor(t, DataType::kFloat32);
  }
  auto promote_info = [](ValueInfo& v) {
    if (!is_half(v.dtype)) return;
    v.declared_dtype = v.dtype;
    v.dtype = DataType::kFloat32;
  };
  for (auto& v : graph.inputs) promote_info(v);
  for (auto& v : graph.outputs) promote_info(v);
  for (auto& [name, v] : graph.value_info) promote_info(v);
  for (auto& node : graph.nodes) {
    for (auto& [key, a] : node.attrs) {
      if (a.kind == Attribute::Kind::kTensor && is_half(a.t.dtype())) a.t = cast_tensor(a.t, DataType::kFloat32);
      if (a.kind == Attribute::Kind::kInt && (node.op_type == "Cast" || node.op_type == "EyeLike" ||
                                              node.op_type.rfind("Random", 0) == 0) &&
          (key == "to" || key == "dtype") && is_half(static_cast<DataType>(a.i))) {
        a.i = static_cast<int64_t>(DataType::kFloat32);
      }
    }
  }
}

bool has_half_types(const Graph& graph) {
  for (const auto& [name, t] : graph.initializers) {
    if (is_half(t.dtype())) return true;
  }
  for (const auto& v : graph.inputs) {
    if (is_half(v.dtype)) return true;
  }
  return false;
}

/// Adds constant \p name; a second constant of the same name is an error (E19020), not an overwrite.
void add_constant(Graph& graph, const std::string& name, Tensor value, const std::string& by) {
  if (!graph.initializers.emplace(name, std::move(value)).second) {
    throw Error(ErrorCode::kInvalidModel, "constant '" + name + "' is defined twice (again by " + by + ")");
  }
}

Graph graph_from_proto(const onnx::ModelProto& model, int64_t opset, const std::string& model_dir) {
  const onnx::GraphProto& g = model.graph();
  Graph graph;
  graph.name = g.name();
  graph.opset = opset;
  for (const auto& init : g.initializer()) {
    if (init.name().empty()) throw Error(ErrorCode::kInvalidModel, "an initializer has no name");
    add_constant(graph, init.name(), tensor_from_proto(init, model_dir, "initializer '" + init.name() + "'"),
                 "initializer");
  }
  if (g.sparse_initializer_size() > 0) throw Error(ErrorCode::kUnsupportedOp, "sparse initializers are not supported");
  for (const auto& in : g.input()) {
    if (!graph.is_constant(in.name())) graph.inputs.push_back(value_info_from_proto(in));
  }
  for (const auto& out : g.output()) graph.outputs.push_back(value_info_from_proto(out));
  // The file's value_info is not read: it is a claim of the (untrusted) model, and the
  // executor's own shape inference (annotate_graph_shapes) computes the real shapes.
  for (int i = 0; i < g.node_size(); ++i) {
    Node node = node_from_proto(g.node(i), static_cast<size_t>(i), model_dir);
    if (node.op_type == "Constant" && is_default_domain(node.domain)) {
      if (node.outputs.size() != 1) throw Error(ErrorCode::kInvalidModel, node.describe() + " must have one output");
      add_constant(graph, node.outputs[0], constant_value(node), node.describe());
      continue;
    }
    graph.nodes.push_back(std::move(node));
  }
  return graph;
}

}  // namespace

Graph load_onnx_model(const std::string& path, const LoadOptions& options) {
  return parse_onnx_model(read_file_bytes(path, kMaxModelFileBytes, "model"), path, options);
}

Graph parse_onnx_model(std::string_view bytes, const std::string& path, const LoadOptions& options) {
  google::protobuf::Arena arena;  // a model of n nodes is O(n) small messages: freed at once
  onnx::ModelProto& model = *google::protobuf::Arena::CreateMessage<onnx::ModelProto>(&arena);
  if (bytes.empty() || bytes.size() > INT_MAX || !model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    throw Error(ErrorCode::kInvalidModel, path + " is not a valid ONNX model (protobuf parsing failed: the file is truncated or not ONNX)");
  }
  if (!model.has_graph() || model.graph().node_size() == 0) {
    throw Error(ErrorCode::kInvalidModel, path + " is not a valid ONNX model (it has no graph nodes)");
  }
  const int64_t opset = upgrade_legacy_opset(model, default_opset(model, path), path);
  std::set<std::string> initializer_names;
  for (const auto& init : model.graph().initializer()) initializer_names.insert(init.name());
  bind_input_shapes(model, options.input_shapes, initializer_names);

  const std::string model_dir = std::filesystem::path(path).parent_path().string();
  Graph graph = graph_from_proto(model, opset, model_dir.empty() ? "." : model_dir);
  if (options.promote_float16 && has_half_types(graph)) promote_half_types(graph);
  topological_sort(graph);
  validate(graph);
  spdlog::debug("loaded {}: opset {}, {} nodes, {} initializers", path, opset, graph.nodes.size(),
                graph.initializers.size());
  return graph;
}

Tensor load_tensor_proto_file(const std::string& path) {
  const std::string bytes = read_file_bytes(path, kMaxModelFileBytes, "tensor file");
  onnx::TensorProto proto;
  if (!proto.ParseFromString(bytes)) throw Error(ErrorCode::kInvalidData, path + " is not a serialized ONNX TensorProto");
  const std::string dir = std::filesystem::path(path).parent_path().string();
  return tensor_from_proto(proto, dir.empty() ? "." : dir, path);
}

}  // namespace ptqc
