#include "runtime/kernels/int8/int8_kernels.h"
#include "runtime/op_registry.h"

namespace ptqc {

void register_int8_ops(OpRegistry& registry) {
  registry.add("AscendQuant", &ascend_quant, kPtqcDomain);
  registry.add("AscendDequant", &ascend_dequant, kPtqcDomain);
  registry.add("AscendRequant", &ascend_requant, kPtqcDomain);
  registry.add("QConv", &qconv, kPtqcDomain);
  registry.add("QConvTranspose", &qconv_transpose, kPtqcDomain);
  registry.add("QMatMul", &qmatmul, kPtqcDomain);
  registry.add("QBatchMatMul", &qbatch_matmul, kPtqcDomain);
  registry.add("QAveragePool", &qaverage_pool, kPtqcDomain);
}

}  // namespace ptqc
