// om_to_json: the --mode=1 dump.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "om_test_graphs.h"

using namespace ptqc;
using namespace ptqc::om_test;

namespace {

nlohmann::json dump_of(const Graph& graph) {
  OmMetadata meta;
  meta.soc_version = "Ascend310P3";
  meta.model_name = "net";
  return om_to_json(deserialize_om(serialize_om(graph, meta), "net.om"));
}

}  // namespace

TEST(OmJson, HeaderAndPartitions) {
  const nlohmann::json j = dump_of(quantized_graph());
  const auto& h = j.at("header");
  EXPECT_EQ(h.at("magic"), 0x444F4D49u);
  EXPECT_EQ(h.at("headsize"), 256);
  EXPECT_EQ(h.at("version"), 0x20000000u);
  EXPECT_EQ(h.at("checksum").get<std::string>().size(), 128u);
  EXPECT_EQ(h.at("is_encrypt"), 0);
  EXPECT_EQ(h.at("is_checksum"), 0);
  EXPECT_EQ(h.at("name"), "net");
  EXPECT_EQ(h.at("ops"), 4);
  EXPECT_EQ(h.at("om_ir_version"), 1);
  EXPECT_EQ(h.at("model_num"), 1);
  EXPECT_EQ(h.at("platform_version"), "Ascend310P3");
  for (const char* key : {"length", "modeltype", "genmode", "userdefineinfo", "platform_type"}) {
    EXPECT_TRUE(h.contains(key)) << key;
  }
  ASSERT_EQ(j.at("partitions").size(), 3u);
  EXPECT_EQ(j.at("partitions")[1].at("type"), "WEIGHTS_DATA");
  EXPECT_EQ(j.at("partitions")[1].at("type_id"), 1);
  EXPECT_EQ(j.at("model").at("soc_version"), "Ascend310P3");
  EXPECT_EQ(j.at("model").at("precision_mode"), "force_fp16");
}

TEST(OmJson, GraphOpsAndAttributes) {
  const nlohmann::json j = dump_of(quantized_graph());
  const auto& ops = j.at("graph").at("ops");
  ASSERT_EQ(ops.size(), 4u);
  EXPECT_EQ(ops[1].at("type"), "QConv");
  EXPECT_EQ(ops[1].at("domain"), "ptqc");
  EXPECT_EQ(ops[1].at("inputs"), (std::vector<std::string>{"xq", "wq", "bias_q"}));
  EXPECT_EQ(ops[1].at("attributes").at("pads"), (std::vector<int64_t>{1, 1, 1, 1}));
  EXPECT_EQ(ops[1].at("attributes").at("x_offset"), -7);
  EXPECT_EQ(ops[1].at("attributes").at("tags")[2], "per_channel");
  EXPECT_FLOAT_EQ(ops[2].at("attributes").at("deq_scale")[0].get<float>(), 1.5e-4f);
  EXPECT_EQ(j.at("graph").at("inputs")[0].at("shape"), (std::vector<int64_t>{1, 2, 3, 3}));
  EXPECT_EQ(j.at("graph").at("inputs")[0].at("dtype"), "float32");
}

TEST(OmJson, WeightsSummaryWithoutRawBytes) {
  const nlohmann::json j = dump_of(float_graph());
  const auto& w = j.at("weights");
  EXPECT_EQ(w.at("count"), 7);
  EXPECT_EQ(w.at("tensors")[0].at("owner"), "w");
  EXPECT_EQ(w.at("tensors")[0].at("stored_dtype"), "float16");
  EXPECT_EQ(w.at("tensors")[0].at("shape"), (std::vector<int64_t>{3, 2, 3, 3}));
  EXPECT_FALSE(w.at("tensors")[0].contains("data"));
  EXPECT_EQ(j.at("graph").at("ops")[4].at("attributes").at("value").at("tensor").at("dtype"), "float32");
  EXPECT_EQ(j.at("task_info").at("tasks")[0].at("kernel"), "Conv");
  EXPECT_EQ(j.at("task_info").at("values")[2].at("offset"), -1);  // 'f' has a dynamic dim
  EXPECT_GT(j.at("task_info").at("arena_size").get<uint64_t>(), 0u);
}
