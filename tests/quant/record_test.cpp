#include "quant/record.h"

#include <gtest/gtest.h>

#include "ptqc/error.h"
#include "ptqc/soc.h"
#include "support/test_models.h"

using namespace ptqc;

namespace {

LayerQuantRecord conv_record() {
  return {"conv1", "Conv", "x", {-1.0f, 3.0f}, 0.015686275f, -64, {0.5f, 0.25f}};
}

TEST(Record, AmctTextForm) {
  const std::string text = format_amct_record({conv_record()});
  EXPECT_EQ(text,
            "record {\n  key: \"conv1\"\n  value {\n    scale_d: 0.0156862754\n    offset_d: -64\n"
            "    scale_w: 0.5\n    scale_w: 0.25\n    offset_w: 0\n    offset_w: 0\n  }\n}\n");
}

TEST(Record, ReusedOnlyWhenModelConfigShapesAndDataMatch) {
  const std::string dir = testing_support::temp_dir("record");
  const RecordKey key{"abc", "{cfg}", "x:1x3x8x8;", "data1", 4};
  write_records(dir, key, {conv_record()});
  const auto loaded = load_matching_record(dir, key);
  ASSERT_TRUE(loaded.has_value());
  ASSERT_EQ(loaded->size(), 1u);
  EXPECT_EQ((*loaded)[0].layer, "conv1");
  EXPECT_EQ((*loaded)[0].range.max, 3.0f);
  EXPECT_EQ((*loaded)[0].scale_w, (std::vector<float>{0.5f, 0.25f}));
  for (RecordKey other : {RecordKey{"abd", "{cfg}", "x:1x3x8x8;", "data1", 4},
                          RecordKey{"abc", "{cfg2}", "x:1x3x8x8;", "data1", 4},
                          RecordKey{"abc", "{cfg}", "x:2x3x8x8;", "data1", 4},
                          RecordKey{"abc", "{cfg}", "x:1x3x8x8;", "data2", 4}}) {
    EXPECT_FALSE(load_matching_record(dir, other).has_value());
  }
  EXPECT_FALSE(load_matching_record(dir + "/nowhere", key).has_value());
}

TEST(SocRegistry, HasTheBriefsSocsAndNamesTheValidOnes) {
  for (const char* name : {"Ascend310", "Ascend310P1", "Ascend310P3", "Ascend310B1", "Ascend310B2", "Ascend310B3",
                           "Ascend310B4", "Ascend910", "Ascend910B1", "Ascend910B2", "Ascend910B3", "Ascend910B4"}) {
    const SocInfo& soc = find_soc(name);
    EXPECT_TRUE(soc.int8_cube) << name;
    EXPECT_EQ(soc.cube_int8_mkn[1], 32) << name;
    EXPECT_GT(soc.ub_bytes, 0) << name;
  }
  try {
    find_soc("Ascend999");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidValue);
    EXPECT_NE(std::string(e.what()).find("--soc_version"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("Ascend910B4"), std::string::npos);
  }
}

}  // namespace
