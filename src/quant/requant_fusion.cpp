#include <algorithm>

#include "ir/passes/graph_edit.h"
#include "quant/int8_rewrite.h"
#include "runtime/op_registry.h"

namespace ptqc {

namespace {

bool is_ptqc(const Node& n, const char* op) { return n.domain == kPtqcDomain && n.op_type == op; }

/// The only node reading \p value (and \p value is no graph output), or -1.
int sole_reader(const Graph& graph, const std::string& value) {
  if (is_graph_output(graph, value) || count_reads(graph, value) != 1) return -1;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    for (const auto& in : graph.nodes[i].inputs) {
      if (in == value) return static_cast<int>(i);
    }
  }
  return -1;
}

/// Joins the chain starting at AscendDequant \p d, if it is one; true when joined.
bool fuse_at(Graph& graph, size_t d) {
  const Node& deq = graph.nodes[d];
  if (!is_ptqc(deq, "AscendDequant") || deq.attr_int("offset", 0) != 0) return false;
  int next = sole_reader(graph, deq.outputs[0]);
  if (next < 0) return false;
  bool relu = false;
  size_t relu_index = 0;
  if (graph.nodes[static_cast<size_t>(next)].op_type == "Relu" && graph.nodes[static_cast<size_t>(next)].domain.empty()) {
    relu = true;
    relu_index = static_cast<size_t>(next);
    next = sole_reader(graph, graph.nodes[relu_index].outputs[0]);
    if (next < 0) return false;
  }
  Node& quant = graph.nodes[static_cast<size_t>(next)];
  if (!is_ptqc(quant, "AscendQuant")) return false;

  const float scale = quant.attr_float("scale", 1.0f);
  std::vector<float> req_scale = deq.attr_floats("deq_scale");
  for (float& r : req_scale) r *= scale;
  Node requant = quant;  // keeps the AscendQuant's output name, offset and scale (1 / scale_d of the output)
  requant.name = deq.name.substr(0, deq.name.rfind("_dequant")) + "_requant";
  requant.op_type = "AscendRequant";
  requant.inputs = {deq.inputs[0]};
  requant.attrs["req_scale"] = deq.attrs.at("deq_scale");
  requant.attrs["req_scale"].floats = req_scale;
  requant.attrs["relu"] = Attribute::of_int(relu ? 1 : 0);
  requant.attrs["axis"] = deq.attrs.count("axis") ? deq.attrs.at("axis") : Attribute::of_int(1);

  // Replace the Quant by the Requant and drop the Dequant (and Relu): the order stays topological
  // because the Requant reads only the Dequant's input, produced before the Dequant.
  quant = std::move(requant);
  std::vector<size_t> doomed = {d};
  if (relu) doomed.push_back(relu_index);
  std::sort(doomed.rbegin(), doomed.rend());
  for (size_t i : doomed) graph.nodes.erase(graph.nodes.begin() + static_cast<std::ptrdiff_t>(i));
  return true;
}

}  // namespace

size_t fuse_requant(Graph& graph) {
  size_t fused = 0;
  for (size_t i = 0; i < graph.nodes.size();) {
    if (fuse_at(graph, i)) {
      ++fused;  // the node now at i is new: look at it again
    } else {
      ++i;
    }
  }
  return fused;
}

}  // namespace ptqc
