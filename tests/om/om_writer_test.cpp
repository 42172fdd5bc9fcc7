// serialize_om / write_om / read_om: round trips, determinism, atomic writes.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "om_test_graphs.h"
#include "ptqc/checksum.h"
#include "support/test_models.h"

using namespace ptqc;
using namespace ptqc::om_test;

namespace {

OmMetadata meta_for(const std::string& soc) {
  OmMetadata meta;
  meta.soc_version = soc;
  meta.model_name = "sr_int8";
  meta.source_sha256 = sha256_hex("source model bytes");
  return meta;
}

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const OmWeight& weight_of(const OmModel& model, const std::string& owner) {
  for (const OmWeight& w : model.weights) {
    if (w.owner == owner) return w;
  }
  throw std::runtime_error("no weight " + owner);
}

}  // namespace

TEST(OmWriter, QuantizedGraphRoundTripsExactly) {
  const Graph graph = quantized_graph();
  const OmModel model = deserialize_om(serialize_om(graph, meta_for("Ascend310P3")), "q.om", "Ascend310P3");
  expect_same_graph(graph, model.graph);
  EXPECT_EQ(model.meta.soc_version, "Ascend310P3");
  EXPECT_EQ(model.meta.model_name, "sr_int8");
  EXPECT_EQ(model.meta.precision_mode, "force_fp16");
  EXPECT_EQ(model.meta.ptqc_version, "0.1.0");
  EXPECT_EQ(model.meta.source_sha256, sha256_hex("source model bytes"));
  EXPECT_TRUE(model.meta.float_weights_fp16);
  // int8 / int32 constants are stored raw, never converted.
  EXPECT_EQ(weight_of(model, "wq").stored_dtype, DataType::kInt8);
  EXPECT_EQ(weight_of(model, "bias_q").stored_dtype, DataType::kInt32);
  EXPECT_EQ(weight_of(model, "bias_q").size, 16u);
}

TEST(OmWriter, FloatConstantsComeBackAsTheirFp16Values) {
  const Graph graph = float_graph();
  const OmModel model = deserialize_om(serialize_om(graph, meta_for("Ascend910B1")), "f.om");
  // 0.1f in FP16 is 0x2E66 = 1638 / 16384 = 0.0999755859375 (hand-computed).
  const Tensor& w = *model.graph.constant("w");
  ASSERT_EQ(w.dtype(), DataType::kFloat32);
  EXPECT_EQ(w.data<float>()[0], 0.0999755859375f);
  EXPECT_EQ(weight_of(model, "w").stored_dtype, DataType::kFloat16);
  EXPECT_EQ(weight_of(model, "w").size, 3u * 2 * 3 * 3 * 2);
  // 1/3 rounds to 0x3555 = 1365 / 4096.
  EXPECT_EQ(model.graph.constant("b")->data<float>()[2], 1365.0f / 4096.0f);
  // -1e9 would overflow FP16: the whole tensor stays float32, exactly.
  EXPECT_EQ(weight_of(model, "mask").stored_dtype, DataType::kFloat32);
  EXPECT_EQ(model.graph.constant("mask")->data<float>()[47], -1e9f);
  // Tensor attributes are parameters, stored exactly.
  EXPECT_EQ(model.graph.nodes[4].attr_tensor("value")->data<float>()[0], 0.1f);

  // Everything else is unchanged: compare with the graph whose FP16-stored constants are rounded.
  Graph expected = float_graph();
  for (const char* name : {"w", "b"}) {
    for (float& v : expected.initializers.at(name).values<float>()) v = half_to_float(float_to_half(v));
  }
  expect_same_graph(expected, model.graph);
}

TEST(OmWriter, Fp16StorageCanBeTurnedOff) {
  OmMetadata meta = meta_for("Ascend310");
  meta.float_weights_fp16 = false;
  const OmModel model = deserialize_om(serialize_om(float_graph(), meta), "f.om");
  EXPECT_FALSE(model.meta.float_weights_fp16);
  EXPECT_EQ(weight_of(model, "w").stored_dtype, DataType::kFloat32);
  expect_same_graph(float_graph(), model.graph);
}

TEST(OmWriter, WeightsAreAlignedAndInFirstUseOrder) {
  const OmModel model = deserialize_om(serialize_om(float_graph(), meta_for("Ascend310")), "f.om");
  std::vector<std::string> owners;
  for (const OmWeight& w : model.weights) {
    owners.push_back(w.owner);
    EXPECT_EQ(w.offset % 64, 0u) << w.owner;
  }
  // Node order, inputs in order, then tensor attributes, then constants no node reads.
  const std::vector<std::string> expected = {"w", "b", "shape", "mask", "fill_shape", "fill:value", "unused_flag"};
  EXPECT_EQ(owners, expected);
}

TEST(OmWriter, SerializationIsDeterministic) {
  const std::string first = serialize_om(quantized_graph(), meta_for("Ascend310P3"));
  EXPECT_EQ(first, serialize_om(quantized_graph(), meta_for("Ascend310P3")));
  // A graph rebuilt with its maps filled in another order gives the same bytes.
  Graph reordered = quantized_graph();
  std::map<std::string, Tensor> initializers;
  for (auto it = reordered.initializers.rbegin(); it != reordered.initializers.rend(); ++it) initializers.insert(*it);
  reordered.initializers = initializers;
  EXPECT_EQ(first, serialize_om(reordered, meta_for("Ascend310P3")));
  EXPECT_NE(first, serialize_om(quantized_graph(), meta_for("Ascend310P1")));
}

TEST(OmWriter, HeaderFieldsFollowGraphEngine) {
  const std::string bytes = serialize_om(quantized_graph(), meta_for("Ascend310P3"));
  EXPECT_EQ(bytes.substr(0, 4), "IMOD");
  const OmModel model = deserialize_om(bytes, "q.om");
  const OmFileHeader& h = model.header;
  EXPECT_EQ(h.headsize, 256u);
  EXPECT_EQ(h.version, 0x20000000u);
  EXPECT_EQ(h.length, bytes.size() - 256);
  EXPECT_EQ(h.is_encrypt, 0);
  EXPECT_EQ(h.is_checksum, 0);  // Graph Engine's ModelCheckType::CHECK
  EXPECT_EQ(h.name, "sr_int8");
  EXPECT_EQ(h.ops, 4u);
  EXPECT_EQ(h.userdefineinfo, "ptqc 0.1.0");
  EXPECT_EQ(h.om_ir_version, 1u);
  EXPECT_EQ(h.model_num, 1u);
  EXPECT_EQ(h.platform_version, "Ascend310P3");
  const Sha256Digest digest = sha256(std::string_view(bytes).substr(256));
  EXPECT_TRUE(std::equal(digest.begin(), digest.end(), h.checksum.begin()));
  EXPECT_TRUE(std::all_of(h.checksum.begin() + 32, h.checksum.end(), [](uint8_t b) { return b == 0; }));
  // The partitions lie back to back in GE's order.
  ASSERT_EQ(model.partitions.size(), 3u);
  EXPECT_EQ(model.partitions[0].type, OmPartitionType::kModelDef);
  EXPECT_EQ(model.partitions[0].offset, 0u);
  EXPECT_EQ(model.partitions[1].type, OmPartitionType::kWeightsData);
  EXPECT_EQ(model.partitions[1].offset, model.partitions[0].size);
  EXPECT_EQ(model.partitions[2].type, OmPartitionType::kTaskInfo);
  EXPECT_EQ(model.partitions[2].offset, model.partitions[1].offset + model.partitions[1].size);
  EXPECT_EQ(4u + 3 * 12 + model.partitions[2].offset + model.partitions[2].size, h.length);
}

TEST(OmWriter, WriteOmWritesAReadableFile) {
  const std::string path = testing_support::temp_dir("om_write") + "/model.om";
  write_om(path, quantized_graph(), meta_for("Ascend310P3"));
  EXPECT_EQ(file_bytes(path), serialize_om(quantized_graph(), meta_for("Ascend310P3")));
  const OmModel model = read_om(path, "Ascend310P3");
  expect_same_graph(quantized_graph(), model.graph);
}

TEST(OmWriter, AFailedWriteLeavesNoFileAndKeepsTheOldOne) {
  const std::string dir = testing_support::temp_dir("om_atomic");
  const std::string path = dir + "/model.om";
  write_om(path, quantized_graph(), meta_for("Ascend310P3"));
  const std::string before = file_bytes(path);

  Graph broken = quantized_graph();
  broken.nodes[1].inputs[0] = "missing";
  try {
    write_om(path, broken, meta_for("Ascend310P3"));
    FAIL() << "an invalid graph was written";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidModel);
    EXPECT_NE(e.message().find("missing"), std::string::npos) << e.message();
  }
  EXPECT_EQ(file_bytes(path), before);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator()), 1);

  try {
    write_om(dir + "/no_such_folder/model.om", quantized_graph(), meta_for("Ascend310P3"));
    FAIL() << "wrote into a missing folder";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kFileIo);
  }
  EXPECT_FALSE(std::filesystem::exists(dir + "/no_such_folder"));
}

TEST(OmWriter, ATensorWithoutElementTypeIsRefused) {
  Graph graph = quantized_graph();
  graph.nodes[0].attrs["bad"] = tensor_attr(Tensor());
  try {
    serialize_om(graph, meta_for("Ascend310"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidModel);
    EXPECT_NE(e.message().find("attribute 'bad'"), std::string::npos) << e.message();
  }
}

TEST(OmWriter, LongNamesAreCutInTheHeaderButKeptInModelDef) {
  OmMetadata meta = meta_for("Ascend310P3");
  meta.model_name = std::string(40, 'n');
  const OmModel model = deserialize_om(serialize_om(quantized_graph(), meta), "q.om");
  EXPECT_EQ(model.header.name, std::string(31, 'n'));
  EXPECT_EQ(model.meta.model_name, std::string(40, 'n'));
}
