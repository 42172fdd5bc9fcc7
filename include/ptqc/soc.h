#pragma once
/// \file
/// The SoC registry: the Ascend chips `--soc_version` accepts and the facts the
/// compiler uses about each (configs/soc/*.json, compiled in).

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace ptqc {

struct SocInfo {
  std::string name;    ///< "Ascend310P3"
  std::string family;  ///< "Ascend310P"
  int64_t ai_core_count = 0;
  int64_t vector_core_count = 0;
  std::array<int64_t, 3> cube_fp16_mkn{};  ///< cube unit shape m, k, n for FP16
  std::array<int64_t, 3> cube_int8_mkn{};  ///< the same for INT8
  bool int8_cube = false;  ///< INT8 cube math exists: Conv/MatMul can run in INT8
  bool int4_cube = false;
  int64_t l0a_bytes = 0, l0b_bytes = 0, l0c_bytes = 0, l1_bytes = 0, ub_bytes = 0;
};

/// Every SoC of the registry, sorted by name.
const std::vector<SocInfo>& soc_registry();

/// The SoC named \p name; an unknown name is an E10001 error for --soc_version
/// that lists the valid names.
const SocInfo& find_soc(const std::string& name);

}  // namespace ptqc
