// The partition table: encoding and each check of decode_partition_table.

#include "om/partition_table.h"

#include <gtest/gtest.h>

#include "ptqc/error.h"

using namespace ptqc;

namespace {

/// A body: the table for \p table followed by \p data_size bytes of partition data.
std::string body(const std::vector<OmPartition>& table, size_t data_size) {
  return encode_partition_table(table) + std::string(data_size, 'd');
}

const std::vector<OmPartition> kGood = {
    {OmPartitionType::kModelDef, 0, 10}, {OmPartitionType::kWeightsData, 10, 64}, {OmPartitionType::kTaskInfo, 74, 6}};

std::string error_of(const std::string& bytes) {
  try {
    decode_partition_table(bytes, "m.om");
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidModel);
    EXPECT_EQ(e.message().rfind("m.om: ", 0), 0u) << e.message();
    return e.message();
  }
  ADD_FAILURE() << "the table was accepted";
  return "";
}

}  // namespace

TEST(PartitionTable, EncodesCountThenTypeOffsetSize) {
  const std::string bytes = encode_partition_table(kGood);
  ASSERT_EQ(bytes.size(), 4u + 3 * 12);
  EXPECT_EQ(bytes.substr(0, 4), std::string("\x03\x00\x00\x00", 4));
  EXPECT_EQ(bytes.substr(16, 12), std::string("\x01\0\0\0\x0A\0\0\0\x40\0\0\0", 12));
}

TEST(PartitionTable, DecodesAGoodTable) {
  const std::string bytes = body(kGood, 80);
  const PartitionLayout layout = decode_partition_table(bytes, "m.om");
  ASSERT_EQ(layout.entries.size(), 3u);
  EXPECT_EQ(layout.data.size(), 80u);
  EXPECT_EQ(layout.bytes(OmPartitionType::kWeightsData).size(), 64u);
  EXPECT_EQ(layout.bytes(OmPartitionType::kTaskInfo).data(), bytes.data() + 40 + 74);
}

TEST(PartitionTable, EmptyOrTooLongTables) {
  EXPECT_NE(error_of("\x01\x00").find("ends before the partition table"), std::string::npos);
  EXPECT_NE(error_of(body({}, 80)).find("table of 0 entries"), std::string::npos);
  std::string bytes = body(kGood, 80);
  bytes[0] = 20;
  EXPECT_NE(error_of(bytes).find("table of 20 entries does not fit"), std::string::npos);
}

TEST(PartitionTable, UnknownAndDuplicateTypes) {
  auto table = kGood;
  table[2].type = static_cast<OmPartitionType>(3);
  EXPECT_NE(error_of(body(table, 80)).find("partition 2 has type 3"), std::string::npos);
  table[2].type = OmPartitionType::kModelDef;
  EXPECT_NE(error_of(body(table, 80)).find("lists MODEL_DEF twice"), std::string::npos);
}

TEST(PartitionTable, MissingType) {
  auto table = kGood;
  table.pop_back();
  EXPECT_NE(error_of(body(table, 80)).find("no TASK_INFO partition"), std::string::npos);
}

TEST(PartitionTable, PartitionPastTheEnd) {
  EXPECT_NE(error_of(body(kGood, 79)).find("TASK_INFO [74, 80) extends past the end"), std::string::npos);
  auto table = kGood;
  table[1].offset = 0xFFFFFFF0;  // offset + size overflows 32 bits: checked in 64
  EXPECT_NE(error_of(body(table, 80)).find("extends past the end"), std::string::npos);
}

TEST(PartitionTable, OverlappingPartitions) {
  auto table = kGood;
  table[2].offset = 70;
  EXPECT_NE(error_of(body(table, 80)).find("WEIGHTS_DATA [10, 74) and TASK_INFO [70, 76) overlap"), std::string::npos);
}
