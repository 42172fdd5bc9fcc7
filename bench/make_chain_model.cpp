// Writes a chain model of N nodes for bench/scale.sh: x[1,8] -> (MatMul 8x8, Add, Relu, Mul, ...)
// repeated, every node reading the previous one, so load, passes, shape inference, planning and
// the .om writer and reader all see N nodes and N values. One MatMul in every 8 nodes has its own
// 8x8 weight (quantizable); the other nodes share two small constants.
//   ptqc_make_chain_model N OUT.onnx
#include <onnx/onnx_pb.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

namespace {

void add_float_tensor(onnx::GraphProto& g, const std::string& name, std::initializer_list<int64_t> dims, float value) {
  onnx::TensorProto& t = *g.add_initializer();
  t.set_name(name);
  t.set_data_type(onnx::TensorProto::FLOAT);
  int64_t n = 1;
  for (int64_t d : dims) {
    t.add_dims(d);
    n *= d;
  }
  for (int64_t i = 0; i < n; ++i) t.add_float_data(value * static_cast<float>(1 + (i * 7) % 5) / 5.0f);
}

void add_io(onnx::ValueInfoProto& v, const std::string& name) {
  v.set_name(name);
  auto* tt = v.mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  tt->mutable_shape()->add_dim()->set_dim_value(1);
  tt->mutable_shape()->add_dim()->set_dim_value(8);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s NODES OUT.onnx\n", argv[0]);
    return 2;
  }
  const long nodes = std::atol(argv[1]);
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.set_producer_name("ptqc-bench");
  model.add_opset_import()->set_version(17);
  onnx::GraphProto& g = *model.mutable_graph();
  g.set_name("chain");
  add_io(*g.add_input(), "x");
  add_float_tensor(g, "bias", {1, 8}, 0.01f);
  add_float_tensor(g, "gain", {1, 8}, 0.5f);
  std::string value = "x";
  static const char* const kCycle[] = {"MatMul", "Add", "Relu", "Mul", "Add", "Relu", "Mul", "Relu"};
  for (long i = 0; i < nodes; ++i) {
    onnx::NodeProto& n = *g.add_node();
    const std::string op = kCycle[i % 8];
    const std::string out = "v" + std::to_string(i);
    n.set_op_type(op);
    n.set_name("n" + std::to_string(i));
    n.add_input(value);
    if (op == "MatMul") {
      const std::string w = "w" + std::to_string(i);
      add_float_tensor(g, w, {8, 8}, 0.35f);
      n.add_input(w);
    } else if (op != "Relu") {
      n.add_input(op == "Add" ? "bias" : "gain");
    }
    n.add_output(out);
    value = out;
  }
  add_io(*g.add_output(), value);
  std::ofstream file(argv[2], std::ios::binary);
  if (!model.SerializeToOstream(&file)) {
    std::fprintf(stderr, "cannot write %s\n", argv[2]);
    return 1;
  }
  return 0;
}
