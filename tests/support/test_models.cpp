#include "support/test_models.h"

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

namespace ptqc::testing_support {

onnx::TensorProto float_initializer(const std::string& name, const Shape& shape, const std::vector<float>& values) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : shape) t.add_dims(d);
  t.set_raw_data(std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float)));
  return t;
}

onnx::TensorProto int64_initializer(const std::string& name, const std::vector<int64_t>& values) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(onnx::TensorProto::INT64);
  t.add_dims(static_cast<int64_t>(values.size()));
  for (int64_t v : values) t.add_int64_data(v);
  return t;
}

void add_value(onnx::ValueInfoProto* v, const std::string& name, int elem_type, const Shape& dims) {
  v->set_name(name);
  auto* tt = v->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(elem_type);
  auto* shape = tt->mutable_shape();
  for (int64_t d : dims) {
    auto* dim = shape->add_dim();
    if (d < 0) dim->set_dim_param("N");
    else dim->set_dim_value(d);
  }
}

onnx::ModelProto empty_model(int64_t opset) {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.set_producer_name("ptqc-tests");
  auto* imp = model.add_opset_import();
  imp->set_domain("");
  imp->set_version(opset);
  model.mutable_graph()->set_name("test");
  return model;
}

onnx::NodeProto* add_node(onnx::ModelProto& model, const std::string& op, const std::vector<std::string>& inputs,
                          const std::vector<std::string>& outputs, const std::string& name) {
  auto* node = model.mutable_graph()->add_node();
  node->set_op_type(op);
  node->set_name(name.empty() ? op + "_" + std::to_string(model.graph().node_size()) : name);
  for (const auto& i : inputs) node->add_input(i);
  for (const auto& o : outputs) node->add_output(o);
  return node;
}

void set_int_attr(onnx::NodeProto* node, const std::string& key, int64_t value) {
  auto* a = node->add_attribute();
  a->set_name(key);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(value);
}

void set_ints_attr(onnx::NodeProto* node, const std::string& key, const std::vector<int64_t>& values) {
  auto* a = node->add_attribute();
  a->set_name(key);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t v : values) a->add_ints(v);
}

std::string temp_dir(const std::string& stem) {
  static std::mt19937_64 rng(std::random_device{}());
  auto dir = std::filesystem::temp_directory_path() / ("ptqc_" + stem + "_" + std::to_string(rng()));
  std::filesystem::create_directories(dir);
  return dir.string();
}

std::string save_temp_model(const onnx::ModelProto& model, const std::string& stem) {
  const std::string path = temp_dir(stem) + "/model.onnx";
  std::ofstream out(path, std::ios::binary);
  model.SerializeToOstream(&out);
  return path;
}

ToolResult run_tool(const std::string& tool, const std::string& args) {
  // Under `timeout`: a tool that hangs (e.g. reading a FIFO) fails its test instead of stalling the suite.
  const std::string cmd = "timeout 300 " + std::string(PTQC_TOOLS_DIR) + "/" + tool + " " + args + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf;
  while (size_t n = fread(buf.data(), 1, buf.size(), pipe)) out.append(buf.data(), n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

Node make_node(const std::string& name, const std::string& op, std::vector<std::string> in, std::vector<std::string> out) {
  Node n;
  n.name = name;
  n.op_type = op;
  n.inputs = std::move(in);
  n.outputs = std::move(out);
  return n;
}

}  // namespace ptqc::testing_support
