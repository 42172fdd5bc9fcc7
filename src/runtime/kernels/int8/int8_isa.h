#pragma once
/// \file
/// The instruction sets the fast INT8 kernels are written for, and the one this
/// CPU supports. Every fast kernel has a path per instruction set; all paths
/// produce bit-identical results (tests run each one the CPU can execute).

#include <vector>

namespace ptqc {

enum class Int8Isa {
  kScalar,      ///< Plain C++ (any CPU).
  kAvx2,        ///< AVX2: int8 products through vpmaddwd on int16 operands.
  kAvx512Vnni,  ///< AVX-512 F/BW/VL + VNNI: vpdpbusd, four u8×s8 products per int32 lane.
};

/// Function attributes that compile one function for an instruction set, so a binary built
/// without -march flags still holds every path; call such a function only when
/// detected_int8_isa() allows it.
#define PTQC_TARGET_AVX2 __attribute__((target("avx2")))
#define PTQC_TARGET_AVX512_VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))

/// The fastest instruction set of this CPU (checked once, at run time).
Int8Isa detected_int8_isa();

/// Every instruction set this CPU can run, slowest first (kScalar always).
std::vector<Int8Isa> runnable_int8_isas();

/// "scalar", "avx2", "avx512vnni".
const char* int8_isa_name(Int8Isa isa);

}  // namespace ptqc
