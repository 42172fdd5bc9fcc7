#pragma once
/// \file
/// The text of configs/soc/*.json, compiled into the library (generated source,
/// see cmake/EmbedSocConfigs.cmake).

#include <string_view>
#include <vector>

namespace ptqc {

struct SocSource {
  std::string_view file;
  std::string_view json;
};

const std::vector<SocSource>& soc_sources();

}  // namespace ptqc
