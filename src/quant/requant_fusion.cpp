#include <algorithm>

#include "ir/passes/graph_edit.h"
#include "quant/int8_rewrite.h"
#include "runtime/op_registry.h"

namespace ptqc {

namespace {

bool is_ptqc(const Node& n, const char* op) { return n.domain == kPtqcDomain && n.op_type == op; }

/// Joins the chain starting at AscendDequant \p d, if it is one: the AscendQuant that ends it
/// becomes an AscendRequant, and the Dequant (and a Relu between them) are marked \p removed.
/// True when joined. The index stays valid for later chains: only the reader of the INT8 op's
/// output changes, and no chain starts there.
bool fuse_at(Graph& graph, const GraphIndex& index, size_t d, std::vector<bool>& removed) {
  const Node& deq = graph.nodes[d];
  if (!is_ptqc(deq, "AscendDequant") || deq.attr_int("offset", 0) != 0 || deq.outputs.empty()) return false;
  int next = index.sole_reader(deq.outputs[0]);
  if (next < 0) return false;
  bool relu = false;
  size_t relu_index = 0;
  if (graph.nodes[static_cast<size_t>(next)].op_type == "Relu" && graph.nodes[static_cast<size_t>(next)].domain.empty()) {
    relu = true;
    relu_index = static_cast<size_t>(next);
    next = index.sole_reader(graph.nodes[relu_index].outputs[0]);
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
  removed[d] = true;
  if (relu) removed[relu_index] = true;
  return true;
}

}  // namespace

size_t fuse_requant(Graph& graph) {
  const bool has_dequant = std::any_of(graph.nodes.begin(), graph.nodes.end(),
                                       [](const Node& n) { return is_ptqc(n, "AscendDequant"); });
  if (!has_dequant) return 0;
  const GraphIndex index(graph);
  std::vector<bool> removed(graph.nodes.size(), false);
  size_t fused = 0;
  for (size_t i = 0; i < graph.nodes.size(); ++i) fused += fuse_at(graph, index, i, removed) ? 1 : 0;
  erase_nodes(graph, removed);
  return fused;
}

}  // namespace ptqc
