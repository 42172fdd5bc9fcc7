#include "runtime/kernels/int8/int8_kernels.h"
#include "runtime/op_registry.h"

namespace ptqc {

void register_int8_ops(OpRegistry& registry) {
  registry.add("AscendQuant", &ascend_quant, kPtqcDomain);
  registry.add("AscendDequant", &ascend_dequant, kPtqcDomain);
  registry.add("AscendRequant", &ascend_requant, kPtqcDomain);
  // The weight and bias (inputs 1 and 2) are packed once per node when they are constants;
  // QConv and QMatMul convert their accumulators tile by tile for a Dequant or Requant reader.
  registry.add("QConv", &qconv, kPtqcDomain, OpTraits{{1, 2}, true});
  registry.add("QConvTranspose", &qconv_transpose, kPtqcDomain, OpTraits{{1, 2}, false});
  registry.add("QMatMul", &qmatmul, kPtqcDomain, OpTraits{{1, 2}, true});
  registry.add("QBatchMatMul", &qbatch_matmul, kPtqcDomain);
  registry.add("QAveragePool", &qaverage_pool, kPtqcDomain);
}

}  // namespace ptqc
