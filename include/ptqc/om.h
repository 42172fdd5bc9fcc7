#pragma once
/// \file
/// The Ascend-style offline model container (`.om`), laid out as Graph Engine's:
/// a 256-byte ModelFileHeader, a partition table, and three partitions (MODEL_DEF:
/// the graph as protobuf, WEIGHTS_DATA: 64-byte aligned raw tensors, TASK_INFO: the
/// runtime's execution plan). docs/om-format.md specifies every byte.
///
/// Writing is deterministic (the same graph and metadata give the same bytes) and
/// atomic; reading checks sizes, offsets, the SHA-256 of the body and the SoC before it
/// trusts anything, and fails with an E19020 ptqc::Error that names the file.

#include <nlohmann/json_fwd.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ptqc/graph.h"

namespace ptqc {

/// What the compiler records about a model besides its graph.
struct OmMetadata {
  std::string soc_version;                    ///< Target SoC ("Ascend310P3"); the header's platform_version.
  std::string model_name;                     ///< The header keeps at most 31 bytes; MODEL_DEF all of it.
  std::string precision_mode = "force_fp16";  ///< ATC's --precision_mode.
  std::string source_sha256;                  ///< Hex SHA-256 of the source model file ("" when unknown).
  std::string ptqc_version = "0.1.0";
  /// Store float32 constants as FP16 (the NPU's storage type). A constant with a finite
  /// value beyond FP16's range (|x| > 65504) stays float32, so masks like -1e9 and
  /// clip bounds like FLT_MAX keep their meaning. Reading gives float32 tensors either way.
  bool float_weights_fp16 = true;
  /// The layers the compiler equalized (quantize_info.cross_layer_equalization), sorted:
  /// ptqc-compare equalizes the FP32 model the same way before comparing layer by layer.
  std::vector<std::string> equalized_layers;
};

/// The 256-byte ModelFileHeader, field by field (Graph Engine's order and sizes).
struct OmFileHeader {
  uint32_t magic = 0;
  uint32_t headsize = 0;
  uint32_t version = 0;
  std::array<uint8_t, 64> checksum{};  ///< SHA-256 of the body in bytes 0..31, then zeros.
  uint32_t length = 0;                 ///< Bytes after the header.
  uint8_t is_encrypt = 0;
  uint8_t is_checksum = 0;  ///< Graph Engine's ModelCheckType: 0 = CHECK (verify the checksum).
  uint8_t modeltype = 0;
  uint8_t genmode = 0;
  std::string name;  ///< NUL-terminated text fields, at most 31 / 31 / 19 bytes.
  uint32_t ops = 0;  ///< Number of ops in the graph.
  std::string userdefineinfo;
  uint32_t om_ir_version = 0;
  uint32_t model_num = 0;
  std::string platform_version;
  uint8_t platform_type = 0;
};

/// Partition types (Graph Engine's ModelPartitionType values).
enum class OmPartitionType : uint32_t { kModelDef = 0, kWeightsData = 1, kTaskInfo = 2 };

/// One entry of the partition table; offset counts from the first byte after the table.
struct OmPartition {
  OmPartitionType type = OmPartitionType::kModelDef;
  uint32_t offset = 0;
  uint32_t size = 0;
};

/// Where one tensor of the graph sits in WEIGHTS_DATA (for dumps and tools).
struct OmWeight {
  std::string owner;  ///< The constant's name, or "<op name>:<attribute>" for a tensor attribute.
  DataType dtype = DataType::kUndefined;         ///< Type of the tensor in the graph.
  DataType stored_dtype = DataType::kUndefined;  ///< Type of the bytes (float16 for FP16-stored float32).
  Shape dims;
  uint64_t offset = 0;  ///< From the first byte of WEIGHTS_DATA.
  uint64_t size = 0;
};

/// The TASK_INFO plan: the kernel of each op, in order, and an activation arena in which
/// every value an op produces gets an offset. Two values whose lifetimes
/// [first_op, last_op] intersect never share bytes.
struct ExecutionPlan {
  struct Task {
    std::string op_name;
    std::string kernel;  ///< The op registry key: "Conv", "ptqc.QConv".
  };
  struct Placement {
    std::string name;
    int64_t offset = -1;  ///< -1: not planned (dtype or static shape unknown).
    uint64_t size = 0;
    uint64_t first_op = 0;  ///< The producing op.
    uint64_t last_op = 0;   ///< The last reader; the op count for a graph output.
  };
  std::vector<Task> tasks;
  std::vector<Placement> values;  ///< One per op output, in production order.
  uint64_t arena_size = 0;        ///< A multiple of kOmAlignment.
};

/// Alignment of arena offsets and of tensors in WEIGHTS_DATA.
inline constexpr uint64_t kOmAlignment = 64;

/// The plan for \p graph: greedy by size (largest value first, ties in production order),
/// each value at the lowest 64-byte aligned offset that overlaps no placed value whose
/// lifetime intersects its own. \pre \p graph is valid (ptqc::validate).
ExecutionPlan plan_execution(const Graph& graph);

/// A model read back from an `.om` file.
struct OmModel {
  OmFileHeader header;
  std::vector<OmPartition> partitions;
  OmMetadata meta;
  Graph graph;  ///< Float32 constants stored as FP16 come back as float32 holding the FP16 values.
  std::vector<OmWeight> weights;  ///< In WEIGHTS_DATA order.
  ExecutionPlan plan;
};

/// The bytes of the `.om` file for \p graph. Deterministic: no timestamps, everything in
/// graph order or sorted by name. Throws E19020 when \p graph is not valid, E19010 when
/// the model does not fit the format's 32-bit sizes (4 GiB).
std::string serialize_om(const Graph& graph, const OmMetadata& meta);

/// Writes serialize_om(\p graph, \p meta) to \p path atomically: on failure no file is
/// left and an existing \p path is untouched (E19000).
void write_om(const std::string& path, const Graph& graph, const OmMetadata& meta);

/// Parses `.om` \p bytes; \p origin names them in messages (the file path). Every check
/// fails with E19020 naming \p origin and what is wrong; an \p expected_soc (when not
/// empty) other than the file's SoC is an E10001 error about --soc_version.
OmModel deserialize_om(std::string_view bytes, const std::string& origin, const std::string& expected_soc = "");

/// Reads and checks \p path (E19000 when it cannot be read; see deserialize_om).
OmModel read_om(const std::string& path, const std::string& expected_soc = "");

/// ATC `--mode=1`-style dump: header fields, partition table, model attributes, graph
/// (inputs, outputs, ops with attributes), a weights summary (no raw bytes) and the
/// execution plan. Names are copied as they are: dump with
/// `nlohmann::json::error_handler_t::replace` if they may not be UTF-8.
nlohmann::json om_to_json(const OmModel& model);


}  // namespace ptqc
