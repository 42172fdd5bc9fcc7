#pragma once
// Graphs and checks shared by the .om tests (tests/om/*_test.cpp): a float graph, a
// quantized-looking graph with ptqc-domain ops, a structural graph comparison, and
// helpers that take an .om file apart and put it back together with a valid checksum
// (so a test can reach the checks behind the checksum).

#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "support/kernel_test_util.h"
#include "ptqc/checksum.h"
#include "om/om_header.h"
#include "om/partition_table.h"
#include "proto/ptqc_om.pb.h"
#include "ptqc/error.h"
#include "ptqc/graph.h"
#include "ptqc/om.h"

namespace ptqc::om_test {

using kernel_test::floats_attr;
using kernel_test::int_attr;
using kernel_test::ints_attr;
using kernel_test::string_attr;

inline Attribute strings_attr(const std::vector<std::string>& v) { return Attribute::of_strings(v); }

inline Attribute tensor_attr(const Tensor& t) { return Attribute::of_tensor(t); }

inline Node node(const std::string& name, const std::string& op, std::vector<std::string> in,
                 std::vector<std::string> out, const std::string& domain = "") {
  Node n;
  n.name = name;
  n.op_type = op;
  n.domain = domain;
  n.inputs = std::move(in);
  n.outputs = std::move(out);
  return n;
}

inline ValueInfo value(const std::string& name, DataType dtype, Shape dims) {
  return {name, dtype, std::move(dims), true, DataType::kUndefined};
}

/// x[1,2,4,4] -> Conv(w, b) -> Relu -> Reshape(shape) -> Add(mask) -> y[1,48], plus a
/// ConstantOfShape whose float `value` attribute (0.1) is not FP16-exact. `w` holds
/// 0.1 (FP16: 0.0999755859375); `mask` holds -1e9, beyond FP16's range.
inline Graph float_graph() {
  Graph g;
  g.name = "float_net";
  g.opset = 13;
  g.inputs.push_back(value("x", DataType::kFloat32, {1, 2, 4, 4}));
  g.inputs.back().declared_dtype = DataType::kFloat16;
  g.outputs.push_back(value("y", DataType::kFloat32, {1, 48}));
  g.outputs.push_back(value("filled", DataType::kFloat32, {2, 3}));
  std::vector<float> w(3 * 2 * 3 * 3);
  for (size_t i = 0; i < w.size(); ++i) w[i] = 0.1f * static_cast<float>(i + 1) - 2.0f;
  w[0] = 0.1f;
  g.initializers["w"] = Tensor::from_vector(w, {3, 2, 3, 3});
  g.initializers["b"] = Tensor::from_vector<float>({0.5f, -0.25f, 1.0f / 3.0f}, {3});
  g.initializers["shape"] = Tensor::from_vector<int64_t>({1, 48}, {2});
  g.initializers["mask"] = Tensor::from_vector<float>(std::vector<float>(48, -1e9f), {1, 48});
  g.initializers["fill_shape"] = Tensor::from_vector<int64_t>({2, 3}, {2});
  g.initializers["unused_flag"] = Tensor::from_vector<bool>({true, false}, {2});

  Node conv = node("conv1", "Conv", {"x", "w", "b"}, {"c"});
  conv.attrs["pads"] = ints_attr({1, 1, 1, 1});
  conv.attrs["auto_pad"] = string_attr("NOTSET");
  conv.attrs["group"] = int_attr(1);
  g.nodes.push_back(conv);
  g.nodes.push_back(node("relu1", "Relu", {"c"}, {"r"}));
  g.nodes.push_back(node("flat", "Reshape", {"r", "shape"}, {"f"}));
  g.nodes.push_back(node("masked", "Add", {"f", "mask"}, {"y"}));
  Node fill = node("fill", "ConstantOfShape", {"fill_shape"}, {"filled"});
  fill.attrs["value"] = tensor_attr(Tensor::from_vector<float>({0.1f}, {1}));
  g.nodes.push_back(fill);
  g.value_info["c"] = value("c", DataType::kFloat32, {1, 3, 4, 4});
  g.value_info["r"] = value("r", DataType::kFloat32, {1, 3, 4, 4});
  g.value_info["f"] = {"f", DataType::kFloat32, {1, -1}, true, DataType::kUndefined};  // dynamic: not planned
  return g;
}

/// x -> AscendQuant -> QConv(int8 w, int32 bias) -> AscendDequant -> y, attributes of
/// every kind, and a QMatMul branch reading the same quantized input.
inline Graph quantized_graph() {
  Graph g;
  g.name = "int8_net";
  g.opset = 17;
  g.inputs.push_back(value("x", DataType::kFloat32, {1, 2, 3, 3}));
  g.outputs.push_back(value("y", DataType::kFloat32, {1, 4, 3, 3}));
  g.outputs.push_back(value("m", DataType::kInt32, {1, 2, 3, 5}));
  std::vector<int8_t> w(4 * 2 * 3 * 3);
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<int8_t>(static_cast<int>(i * 37 % 256) - 128);
  w[1] = 127;
  g.initializers["wq"] = Tensor::from_vector(w, {4, 2, 3, 3});
  g.initializers["bias_q"] = Tensor::from_vector<int32_t>({-2147483647 - 1, 0, 12345, 2147483647}, {4});
  std::vector<int8_t> wm(3 * 5, -7);
  g.initializers["wm"] = Tensor::from_vector(wm, {3, 5});

  Node quant = node("conv1_quant", "AscendQuant", {"x"}, {"xq"}, "ptqc");
  quant.attrs["scale"] = kernel_test::float_attr(1.0f / 0.0123f);
  quant.attrs["offset"] = int_attr(-7);
  g.nodes.push_back(quant);
  Node conv = node("conv1", "QConv", {"xq", "wq", "bias_q"}, {"acc"}, "ptqc");
  conv.attrs["pads"] = ints_attr({1, 1, 1, 1});
  conv.attrs["strides"] = ints_attr({1, 1});
  conv.attrs["x_offset"] = int_attr(-7);
  conv.attrs["tags"] = strings_attr({"int8", "", "per_channel"});
  g.nodes.push_back(conv);
  Node deq = node("conv1_dequant", "AscendDequant", {"acc"}, {"y"}, "ptqc");
  deq.attrs["deq_scale"] = floats_attr({1.5e-4f, 2.5e-4f, 3.7e-4f, 1e-30f});
  deq.attrs["axis"] = int_attr(1);
  g.nodes.push_back(deq);
  Node mm = node("mm", "QMatMul", {"xq", "wm", ""}, {"m"}, "ptqc");
  mm.attrs["x_offset"] = int_attr(-7);
  g.nodes.push_back(mm);
  g.value_info["xq"] = value("xq", DataType::kInt8, {1, 2, 3, 3});
  g.value_info["acc"] = value("acc", DataType::kInt32, {1, 4, 3, 3});
  return g;
}

/// Expects two tensors to have the same type, shape and bytes.
inline void expect_same_tensor(const Tensor& expected, const Tensor& actual, const std::string& what) {
  ASSERT_EQ(actual.dtype(), expected.dtype()) << what;
  ASSERT_EQ(actual.shape(), expected.shape()) << what;
  ASSERT_EQ(actual.nbytes(), expected.nbytes()) << what;
  EXPECT_EQ(std::memcmp(actual.raw(), expected.raw(), expected.nbytes()), 0) << what;
}

inline void expect_same_value(const ValueInfo& a, const ValueInfo& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.dtype, b.dtype) << a.name;
  EXPECT_EQ(a.has_shape, b.has_shape) << a.name;
  EXPECT_EQ(a.dims, b.dims) << a.name;
  EXPECT_EQ(a.declared_dtype, b.declared_dtype) << a.name;
}

/// Expects \p actual to equal \p expected in every field, tensors byte for byte.
inline void expect_same_graph(const Graph& expected, const Graph& actual) {
  EXPECT_EQ(actual.name, expected.name);
  EXPECT_EQ(actual.opset, expected.opset);
  ASSERT_EQ(actual.inputs.size(), expected.inputs.size());
  for (size_t i = 0; i < expected.inputs.size(); ++i) expect_same_value(expected.inputs[i], actual.inputs[i]);
  ASSERT_EQ(actual.outputs.size(), expected.outputs.size());
  for (size_t i = 0; i < expected.outputs.size(); ++i) expect_same_value(expected.outputs[i], actual.outputs[i]);
  ASSERT_EQ(actual.value_info.size(), expected.value_info.size());
  for (const auto& [name, info] : expected.value_info) expect_same_value(info, actual.value_info.at(name));
  ASSERT_EQ(actual.initializers.size(), expected.initializers.size());
  for (const auto& [name, t] : expected.initializers) {
    ASSERT_TRUE(actual.is_constant(name)) << name;
    expect_same_tensor(t, *actual.constant(name), "constant " + name);
  }
  ASSERT_EQ(actual.nodes.size(), expected.nodes.size());
  for (size_t i = 0; i < expected.nodes.size(); ++i) {
    const Node& e = expected.nodes[i];
    const Node& a = actual.nodes[i];
    EXPECT_EQ(a.name, e.name);
    EXPECT_EQ(a.op_type, e.op_type);
    EXPECT_EQ(a.domain, e.domain);
    EXPECT_EQ(a.inputs, e.inputs);
    EXPECT_EQ(a.outputs, e.outputs);
    ASSERT_EQ(a.attrs.size(), e.attrs.size()) << e.name;
    for (const auto& [key, ea] : e.attrs) {
      ASSERT_TRUE(a.has_attr(key)) << e.name << "." << key;
      const Attribute& aa = a.attrs.at(key);
      ASSERT_EQ(aa.kind, ea.kind) << e.name << "." << key;
      EXPECT_EQ(aa.i, ea.i);
      EXPECT_EQ(std::memcmp(&aa.f, &ea.f, sizeof(float)), 0) << e.name << "." << key;
      EXPECT_EQ(aa.s, ea.s);
      EXPECT_EQ(aa.ints, ea.ints);
      EXPECT_EQ(aa.floats, ea.floats);
      EXPECT_EQ(aa.strings, ea.strings);
      if (ea.kind == Attribute::Kind::kTensor) expect_same_tensor(ea.t, aa.t, e.name + "." + key);
    }
  }
}

/// An .om file split into its parts, to be altered and put back together.
struct OmParts {
  OmFileHeader header;
  std::vector<OmPartition> table;
  std::string model_def, weights, task_info;
};

inline OmParts split_om(const std::string& bytes) {
  OmParts parts;
  parts.header = decode_om_header(bytes);
  const PartitionLayout layout = decode_partition_table(std::string_view(bytes).substr(kOmHeaderSize), "split");
  parts.table = layout.entries;
  parts.model_def = layout.bytes(OmPartitionType::kModelDef);
  parts.weights = layout.bytes(OmPartitionType::kWeightsData);
  parts.task_info = layout.bytes(OmPartitionType::kTaskInfo);
  return parts;
}

/// \p parts as a file: partitions back to back in the order MODEL_DEF, WEIGHTS_DATA,
/// TASK_INFO, a fresh length and SHA-256, and the other header fields as they are.
inline std::string join_om(OmParts parts) {
  const std::string* data[] = {&parts.model_def, &parts.weights, &parts.task_info};
  std::vector<OmPartition> table;
  uint32_t offset = 0;
  for (uint32_t type = 0; type < 3; ++type) {
    table.push_back({static_cast<OmPartitionType>(type), offset, static_cast<uint32_t>(data[type]->size())});
    offset += static_cast<uint32_t>(data[type]->size());
  }
  const std::string body =
      encode_partition_table(table) + parts.model_def + parts.weights + parts.task_info;
  parts.header.length = static_cast<uint32_t>(body.size());
  const Sha256Digest digest = sha256(body);
  std::copy(digest.begin(), digest.end(), parts.header.checksum.begin());
  return encode_om_header(parts.header) + body;
}

/// Re-seals \p bytes after a test edited them: recomputes the checksum over the body.
inline std::string reseal(std::string bytes) {
  OmFileHeader header = decode_om_header(bytes);
  const Sha256Digest digest = sha256(std::string_view(bytes).substr(kOmHeaderSize));
  std::copy(digest.begin(), digest.end(), header.checksum.begin());
  return encode_om_header(header) + bytes.substr(kOmHeaderSize);
}

/// \p bytes with the \p Message in partition \p part edited by \p edit (and re-sealed).
template <class Message>
std::string edit_partition(const std::string& bytes, std::string OmParts::*part,
                           const std::function<void(Message&)>& edit) {
  OmParts parts = split_om(bytes);
  Message message;
  EXPECT_TRUE(message.ParseFromString(parts.*part));
  edit(message);
  parts.*part = message.SerializeAsString();
  return join_om(parts);
}

inline std::string edit_model_def(const std::string& bytes, const std::function<void(proto::ModelDef&)>& edit) {
  return edit_partition(bytes, &OmParts::model_def, edit);
}

inline std::string edit_task_info(const std::string& bytes, const std::function<void(proto::TaskInfoDef&)>& edit) {
  return edit_partition(bytes, &OmParts::task_info, edit);
}

/// The error deserialize_om throws for \p bytes (a test failure when it throws none).
inline Error read_error(const std::string& bytes, const std::string& expected_soc = "") {
  try {
    deserialize_om(bytes, "model.om", expected_soc);
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "deserialize_om accepted the bytes";
  return Error(ErrorCode::kInternal, "no error");
}

}  // namespace ptqc::om_test
