#include "ptqc/passes.h"

namespace ptqc {

void optimize(Graph& graph, const NodeEvaluator& evaluate) {
  for (int round = 0; round < 8; ++round) {
    size_t changed = remove_identities(graph);
    changed += fold_constants(graph, evaluate);
    changed += fold_batch_norms(graph);
    changed += eliminate_dead_code(graph);
    if (changed == 0) break;
  }
  fuse_swish(graph);
  fuse_hard_swish(graph);
}

}  // namespace ptqc
