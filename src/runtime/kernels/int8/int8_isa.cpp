#include "runtime/kernels/int8/int8_isa.h"

namespace ptqc {

namespace {

Int8Isa detect() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512vnni")) {
    return Int8Isa::kAvx512Vnni;
  }
  if (__builtin_cpu_supports("avx2")) return Int8Isa::kAvx2;
  return Int8Isa::kScalar;
}

}  // namespace

Int8Isa detected_int8_isa() {
  static const Int8Isa isa = detect();
  return isa;
}

std::vector<Int8Isa> runnable_int8_isas() {
  std::vector<Int8Isa> isas;
  for (Int8Isa isa : {Int8Isa::kScalar, Int8Isa::kAvx2, Int8Isa::kAvx512Vnni}) {
    if (isa <= detected_int8_isa()) isas.push_back(isa);
  }
  return isas;
}

const char* int8_isa_name(Int8Isa isa) {
  switch (isa) {
    case Int8Isa::kScalar:
      return "scalar";
    case Int8Isa::kAvx2:
      return "avx2";
    case Int8Isa::kAvx512Vnni:
      return "avx512vnni";
  }
  return "?";
}

}  // namespace ptqc
