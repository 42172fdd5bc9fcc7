#include "om/partition_table.h"

#include <algorithm>

#include "om/byte_layout.h"
#include "om/corrupt_file.h"

namespace ptqc {

namespace {

constexpr size_t kCountBytes = 4;
constexpr size_t kEntryBytes = 12;
constexpr uint32_t kPartitionTypeCount = 3;

std::string describe(const OmPartition& p) {
  return partition_type_name(p.type) + " [" + std::to_string(p.offset) + ", " +
         std::to_string(uint64_t{p.offset} + p.size) + ")";
}

}  // namespace

std::string partition_type_name(OmPartitionType type) {
  switch (type) {
    case OmPartitionType::kModelDef: return "MODEL_DEF";
    case OmPartitionType::kWeightsData: return "WEIGHTS_DATA";
    case OmPartitionType::kTaskInfo: return "TASK_INFO";
  }
  return "type " + std::to_string(static_cast<uint32_t>(type));
}

std::string encode_partition_table(const std::vector<OmPartition>& partitions) {
  std::string out(kCountBytes + kEntryBytes * partitions.size(), '\0');
  om_layout::put_u32(out, 0, static_cast<uint32_t>(partitions.size()));
  for (size_t i = 0; i < partitions.size(); ++i) {
    const size_t at = kCountBytes + kEntryBytes * i;
    om_layout::put_u32(out, at, static_cast<uint32_t>(partitions[i].type));
    om_layout::put_u32(out, at + 4, partitions[i].offset);
    om_layout::put_u32(out, at + 8, partitions[i].size);
  }
  return out;
}

std::string_view PartitionLayout::bytes(OmPartitionType type) const {
  for (const OmPartition& p : entries) {
    if (p.type == type) return data.substr(p.offset, p.size);
  }
  return {};
}

PartitionLayout decode_partition_table(std::string_view body, const std::string& origin) {
  using om_layout::get_u32;
  if (body.size() < kCountBytes) throw_corrupt_om(origin, "the file ends before the partition table");
  const uint64_t count = get_u32(body, 0);
  const uint64_t table_bytes = kCountBytes + kEntryBytes * count;
  if (count == 0 || table_bytes > body.size()) {
    throw_corrupt_om(origin, "a partition table of " + std::to_string(count) + " entries does not fit in the " +
                                 std::to_string(body.size()) + " bytes after the header");
  }
  PartitionLayout layout;
  layout.data = body.substr(table_bytes);
  bool seen[kPartitionTypeCount] = {};
  for (uint64_t i = 0; i < count; ++i) {
    const size_t at = kCountBytes + kEntryBytes * i;
    const uint32_t type = get_u32(body, at);
    if (type >= kPartitionTypeCount) {
      throw_corrupt_om(origin, "partition " + std::to_string(i) + " has type " + std::to_string(type) +
                                   "; ptqc reads MODEL_DEF (0), WEIGHTS_DATA (1) and TASK_INFO (2)");
    }
    const OmPartition p{static_cast<OmPartitionType>(type), get_u32(body, at + 4), get_u32(body, at + 8)};
    if (seen[type]) throw_corrupt_om(origin, "the partition table lists " + partition_type_name(p.type) + " twice");
    seen[type] = true;
    if (uint64_t{p.offset} + p.size > layout.data.size()) {
      throw_corrupt_om(origin, "partition " + describe(p) + " extends past the end of the file (the partition data is " +
                                   std::to_string(layout.data.size()) + " bytes)");
    }
    layout.entries.push_back(p);
  }
  for (uint32_t type = 0; type < kPartitionTypeCount; ++type) {
    if (!seen[type]) {
      throw_corrupt_om(origin, "the file has no " + partition_type_name(static_cast<OmPartitionType>(type)) + " partition");
    }
  }
  std::vector<OmPartition> by_offset = layout.entries;
  std::sort(by_offset.begin(), by_offset.end(), [](const OmPartition& a, const OmPartition& b) {
    return a.offset != b.offset ? a.offset < b.offset : a.size < b.size;
  });
  for (size_t i = 1; i < by_offset.size(); ++i) {
    const OmPartition& prev = by_offset[i - 1];
    if (uint64_t{prev.offset} + prev.size > by_offset[i].offset) {
      throw_corrupt_om(origin, "partitions " + describe(prev) + " and " + describe(by_offset[i]) + " overlap");
    }
  }
  return layout;
}

}  // namespace ptqc
