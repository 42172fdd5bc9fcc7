#pragma once
/// \file
/// The partition table that follows the header: uint32 num, then num entries
/// {uint32 type, uint32 offset, uint32 size}, all little-endian (Graph Engine's
/// ModelPartitionTable). Offsets count from the first byte after the table.

#include <string>
#include <string_view>
#include <vector>

#include "ptqc/om.h"

namespace ptqc {

/// "MODEL_DEF", "WEIGHTS_DATA", "TASK_INFO".
std::string partition_type_name(OmPartitionType type);

/// The table bytes for \p partitions (4 + 12 * size() bytes).
std::string encode_partition_table(const std::vector<OmPartition>& partitions);

/// A checked partition table: \p entries in file order, \p data the bytes they index.
struct PartitionLayout {
  std::vector<OmPartition> entries;
  std::string_view data;

  /// The bytes of the partition of \p type. \pre the table was decoded (all types present).
  std::string_view bytes(OmPartitionType type) const;
};

/// Decodes the table at the start of \p body (the bytes after the header) and checks it:
/// it fits in the body, every type is MODEL_DEF, WEIGHTS_DATA or TASK_INFO and occurs
/// once, each partition lies inside the data area, and no two overlap. E19020 naming
/// \p origin otherwise.
PartitionLayout decode_partition_table(std::string_view body, const std::string& origin);

}  // namespace ptqc
