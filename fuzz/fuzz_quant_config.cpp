// Config text -> QuantConfig (JSON with comments, every key and value checked) -> fingerprint.
#include "fuzz_support.h"
#include "ptqc/quant_config.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ptqc::fuzz::initialize();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return ptqc::fuzz::expect_only_coded_errors([&] {
    const ptqc::QuantConfig config =
        ptqc::parse_quant_config("fuzz/quant.json", std::string(ptqc::fuzz::bytes_of(data, size)));
    config.fingerprint();
  });
}
