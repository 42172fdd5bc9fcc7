#include <algorithm>
#include <nlohmann/json.hpp>

#include "ptqc/error.h"
#include "ptqc/soc.h"
#include "quant/soc_sources.h"

namespace ptqc {

namespace {

std::array<int64_t, 3> mkn(const nlohmann::json& j) { return {j.at(0).get<int64_t>(), j.at(1).get<int64_t>(), j.at(2).get<int64_t>()}; }

SocInfo parse_soc(const SocSource& source) {
  try {
    const auto j = nlohmann::json::parse(source.json);
    SocInfo soc;
    soc.name = j.at("soc_version").get<std::string>();
    soc.family = j.at("family").get<std::string>();
    soc.ai_core_count = j.at("ai_core_count").get<int64_t>();
    soc.vector_core_count = j.at("vector_core_count").get<int64_t>();
    soc.cube_fp16_mkn = mkn(j.at("cube_mkn").at("fp16"));
    soc.cube_int8_mkn = mkn(j.at("cube_mkn").at("int8"));
    soc.int8_cube = j.at("int8_cube").get<bool>();
    soc.int4_cube = j.at("int4_cube").get<bool>();
    const auto& b = j.at("buffers_kb");
    soc.l0a_bytes = b.at("l0a").get<int64_t>() * 1024;
    soc.l0b_bytes = b.at("l0b").get<int64_t>() * 1024;
    soc.l0c_bytes = b.at("l0c").get<int64_t>() * 1024;
    soc.l1_bytes = b.at("l1").get<int64_t>() * 1024;
    soc.ub_bytes = b.at("ub").get<int64_t>() * 1024;
    return soc;
  } catch (const nlohmann::json::exception& e) {
    // The registry is compiled in: a bad entry is a build defect, caught by the tests.
    throw Error(ErrorCode::kInternal, "configs/soc/" + std::string(source.file) + ": " + e.what());
  }
}

}  // namespace

const std::vector<SocInfo>& soc_registry() {
  static const std::vector<SocInfo> registry = [] {
    std::vector<SocInfo> socs;
    for (const SocSource& source : soc_sources()) socs.push_back(parse_soc(source));
    std::sort(socs.begin(), socs.end(), [](const SocInfo& a, const SocInfo& b) { return a.name < b.name; });
    return socs;
  }();
  return registry;
}

const SocInfo& find_soc(const std::string& name) {
  for (const SocInfo& soc : soc_registry()) {
    if (soc.name == name) return soc;
  }
  std::string valid;
  for (const SocInfo& soc : soc_registry()) valid += (valid.empty() ? "" : ", ") + soc.name;
  throw Error(ErrorCode::kInvalidValue, "Value [" + name + "] for parameter [--soc_version] is invalid. Reason: unknown SoC; valid values: " + valid);
}

}  // namespace ptqc
