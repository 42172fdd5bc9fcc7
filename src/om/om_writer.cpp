/// \file
/// serialize_om / write_om: header + partition table + MODEL_DEF + WEIGHTS_DATA + TASK_INFO.

#include <google/protobuf/arena.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <algorithm>
#include <cstdint>

#include "ptqc/checksum.h"
#include "om/model_def.h"
#include "om/om_header.h"
#include "om/partition_table.h"
#include "om/task_info.h"
#include "om/weights.h"
#include "ptqc/error.h"
#include "ptqc/file_io.h"
#include "ptqc/om.h"

namespace ptqc {

namespace {

/// \p message's bytes with deterministic serialization (fields in number order,
/// no map-order dependence), so equal messages give equal bytes.
std::string serialize_message(const google::protobuf::MessageLite& message, const std::string& what) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    if (!message.SerializeToCodedStream(&coded)) {
      throw Error(ErrorCode::kUnsupportedOp, what + " cannot be serialized (protobuf messages are limited to 2 GiB)");
    }
  }
  return out;
}

}  // namespace

std::string serialize_om(const Graph& graph, const OmMetadata& meta) {
  validate(graph);
  WeightsWriter weights(meta.float_weights_fp16);
  // One arena for the messages: a graph of n ops makes O(n) small messages, freed at once.
  google::protobuf::Arena arena;
  auto* model_def_message = google::protobuf::Arena::CreateMessage<proto::ModelDef>(&arena);
  encode_model_def(graph, meta, weights, *model_def_message);
  const std::string model_def = serialize_message(*model_def_message, "MODEL_DEF");
  auto* task_info_message = google::protobuf::Arena::CreateMessage<proto::TaskInfoDef>(&arena);
  encode_task_info(plan_execution(graph), *task_info_message);
  const std::string task_info = serialize_message(*task_info_message, "TASK_INFO");

  const std::vector<std::string_view> parts = {model_def, weights.bytes(), task_info};
  const OmPartitionType types[] = {OmPartitionType::kModelDef, OmPartitionType::kWeightsData,
                                   OmPartitionType::kTaskInfo};
  std::vector<OmPartition> table;
  uint64_t data_size = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    // Sizes are checked against the 32-bit format below, before any of them is used.
    table.push_back({types[i], static_cast<uint32_t>(data_size), static_cast<uint32_t>(parts[i].size())});
    data_size += parts[i].size();
  }
  const std::string partition_table = encode_partition_table(table);
  const uint64_t body_size = partition_table.size() + data_size;
  if (body_size > UINT32_MAX) {
    throw Error(ErrorCode::kUnsupportedOp, "model '" + meta.model_name + "' needs " + std::to_string(body_size) +
                                               " bytes after the .om header; the format's 32-bit sizes allow 4 GiB");
  }
  // The file in one buffer (the header is filled in last), so the parts are copied once.
  std::string file(kOmHeaderSize, '\0');
  file.reserve(kOmHeaderSize + body_size);
  file += partition_table;
  for (const auto& part : parts) file.append(part);
  const std::string_view body = std::string_view(file).substr(kOmHeaderSize);

  OmFileHeader header;
  header.magic = kOmMagic;
  header.headsize = kOmHeaderSize;
  header.version = kOmVersion;
  const Sha256Digest digest = sha256(body);
  std::copy(digest.begin(), digest.end(), header.checksum.begin());
  header.length = static_cast<uint32_t>(body.size());
  header.is_encrypt = 0;
  header.is_checksum = kOmChecksumCheck;
  header.modeltype = 0;  // Graph Engine's IR model: the graph is a protobuf ModelDef
  header.genmode = 0;    // offline generation
  header.name = meta.model_name;
  header.ops = static_cast<uint32_t>(graph.nodes.size());  // MODEL_DEF (< 2 GiB) cannot hold 2^32 ops
  header.userdefineinfo = "ptqc " + meta.ptqc_version;
  header.om_ir_version = kOmIrVersion;
  header.model_num = 1;
  header.platform_version = meta.soc_version;
  header.platform_type = 0;
  file.replace(0, kOmHeaderSize, encode_om_header(header));
  return file;
}

void write_om(const std::string& path, const Graph& graph, const OmMetadata& meta) {
  write_file_atomically(path, serialize_om(graph, meta));
}

}  // namespace ptqc
