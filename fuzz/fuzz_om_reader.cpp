// .om bytes -> OmModel -> shape check of its graph. The header's length and SHA-256 are
// recomputed for every input, so the fuzzer explores everything behind the checksum (the
// partition table, MODEL_DEF, WEIGHTS_DATA, TASK_INFO, and the kernels the graph names),
// not just the check that rejects a wrong digest.
#include "fuzz_support.h"
#include "om/om_header.h"
#include "ptqc/checksum.h"
#include "ptqc/om.h"
#include "ptqc/shape_inference.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ptqc::fuzz::initialize();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(ptqc::fuzz::bytes_of(data, size));
  if (bytes.size() >= ptqc::kOmHeaderSize && bytes.size() - ptqc::kOmHeaderSize <= UINT32_MAX) {
    ptqc::OmFileHeader header = ptqc::decode_om_header(bytes);
    header.length = static_cast<uint32_t>(bytes.size() - ptqc::kOmHeaderSize);
    const ptqc::Sha256Digest digest = ptqc::sha256(std::string_view(bytes).substr(ptqc::kOmHeaderSize));
    std::copy(digest.begin(), digest.end(), header.checksum.begin());
    bytes.replace(0, ptqc::kOmHeaderSize, ptqc::encode_om_header(header));
  }
  return ptqc::fuzz::expect_only_coded_errors([&] {
    const ptqc::OmModel model = ptqc::deserialize_om(bytes, "fuzz.om");
    ptqc::infer_graph_shapes(model.graph);
  });
}
