/// \file
/// deserialize_om / read_om: every check runs before the bytes it guards are used.

#include <google/protobuf/arena.h>

#include <algorithm>
#include <climits>
#include <cstdio>

#include "ptqc/checksum.h"
#include "om/corrupt_file.h"
#include "om/model_def.h"
#include "om/om_header.h"
#include "om/partition_table.h"
#include "om/task_info.h"
#include "ptqc/file_io.h"
#include "ptqc/om.h"

namespace ptqc {

namespace {

std::string hex32(uint32_t value) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08X", value);
  return text;
}

/// The fixed fields, the length against the real file size, and the flags ptqc supports.
void check_header(const OmFileHeader& h, size_t file_size, const std::string& origin) {
  if (h.magic != kOmMagic) {
    throw_corrupt_om(origin, "not an .om file: the magic number is " + hex32(h.magic) + ", expected " +
                                 hex32(kOmMagic) + " (\"IMOD\")");
  }
  if (h.headsize != kOmHeaderSize) {
    throw_corrupt_om(origin, "the header size field is " + std::to_string(h.headsize) + ", expected 256");
  }
  if (h.version != kOmVersion) {
    throw_corrupt_om(origin, "format version " + hex32(h.version) + " is not supported; ptqc reads " +
                                 hex32(kOmVersion));
  }
  if (h.length != file_size - kOmHeaderSize) {
    throw_corrupt_om(origin, "the header says " + std::to_string(h.length) + " bytes follow it, but the file has " +
                                 std::to_string(file_size - kOmHeaderSize) + " (truncated or extended)");
  }
  if (h.is_encrypt != 0) throw Error(ErrorCode::kUnsupportedOp, origin + ": encrypted .om files are not supported");
  if (h.is_checksum != kOmChecksumCheck) {
    throw_corrupt_om(origin, "the header does not ask for a checksum check (is_checksum = " +
                                 std::to_string(h.is_checksum) + "); ptqc reads only checksummed files");
  }
  if (h.model_num != 1) {
    throw Error(ErrorCode::kUnsupportedOp, origin + ": the file holds " + std::to_string(h.model_num) +
                                               " models; ptqc reads single-model files");
  }
  if (h.om_ir_version != kOmIrVersion) {
    throw_corrupt_om(origin, "MODEL_DEF schema version " + std::to_string(h.om_ir_version) +
                                 " is not supported; ptqc reads version " + std::to_string(kOmIrVersion));
  }
}

void check_checksum(const OmFileHeader& h, std::string_view body, const std::string& origin) {
  const Sha256Digest digest = sha256(body);
  if (!std::equal(digest.begin(), digest.end(), h.checksum.begin())) {
    throw_corrupt_om(origin, "checksum mismatch: the SHA-256 of the " + std::to_string(body.size()) +
                                 " bytes after the header is " + hex_string(digest.data(), digest.size()) +
                                 ", the header records " + hex_string(h.checksum.data(), digest.size()));
  }
}

void parse_partition(google::protobuf::MessageLite& message, std::string_view bytes, const std::string& name,
                     const std::string& origin) {
  if (bytes.size() > INT_MAX || !message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    throw_corrupt_om(origin, name + " (" + std::to_string(bytes.size()) + " bytes) is not a valid protobuf message");
  }
}

/// The header repeats facts of MODEL_DEF; both must agree.
void check_header_matches_model(const OmFileHeader& h, const DecodedModel& model, const std::string& origin) {
  if (h.ops != model.graph.nodes.size()) {
    throw_corrupt_om(origin, "the header counts " + std::to_string(h.ops) + " ops, MODEL_DEF holds " +
                                 std::to_string(model.graph.nodes.size()));
  }
  if (h.platform_version != model.meta.soc_version.substr(0, 19)) {
    throw_corrupt_om(origin, "the header's SoC '" + h.platform_version + "' differs from MODEL_DEF's '" +
                                 model.meta.soc_version + "'");
  }
}

}  // namespace

OmModel deserialize_om(std::string_view bytes, const std::string& origin, const std::string& expected_soc) {
  if (bytes.size() < kOmHeaderSize) {
    throw_corrupt_om(origin, "the file is " + std::to_string(bytes.size()) +
                                 " bytes, shorter than the 256-byte .om header");
  }
  OmModel model;
  model.header = decode_om_header(bytes);
  check_header(model.header, bytes.size(), origin);
  const std::string_view body = bytes.substr(kOmHeaderSize);
  check_checksum(model.header, body, origin);
  const PartitionLayout layout = decode_partition_table(body, origin);
  model.partitions = layout.entries;

  google::protobuf::Arena arena;  // the messages of n ops, freed at once
  auto& model_def = *google::protobuf::Arena::CreateMessage<proto::ModelDef>(&arena);
  parse_partition(model_def, layout.bytes(OmPartitionType::kModelDef), "MODEL_DEF", origin);
  DecodedModel decoded = decode_model_def(model_def, layout.bytes(OmPartitionType::kWeightsData), origin);
  check_header_matches_model(model.header, decoded, origin);
  if (!expected_soc.empty() && expected_soc != decoded.meta.soc_version) {
    throw Error(ErrorCode::kInvalidValue, "Value [" + expected_soc +
                                              "] for parameter [--soc_version] is invalid. Reason: " + origin +
                                              " was compiled for " + decoded.meta.soc_version);
  }
  auto& task_info = *google::protobuf::Arena::CreateMessage<proto::TaskInfoDef>(&arena);
  parse_partition(task_info, layout.bytes(OmPartitionType::kTaskInfo), "TASK_INFO", origin);
  model.plan = decode_task_info(task_info, decoded.graph, origin);
  model.meta = std::move(decoded.meta);
  model.graph = std::move(decoded.graph);
  model.weights = std::move(decoded.weights);
  return model;
}

OmModel read_om(const std::string& path, const std::string& expected_soc) {
  // The header's 32-bit length bounds the body, so a larger file cannot be an .om.
  constexpr uint64_t kMaxOmFileBytes = kOmHeaderSize + uint64_t{UINT32_MAX};
  return deserialize_om(read_file_bytes(path, kMaxOmFileBytes, "offline model"), path, expected_soc);
}

}  // namespace ptqc
