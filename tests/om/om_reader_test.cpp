// deserialize_om / read_om: one test per check, each on a corrupted copy of a good file.

#include <gtest/gtest.h>

#include "om/byte_layout.h"
#include "om_test_graphs.h"
#include "support/test_models.h"

using namespace ptqc;
using namespace ptqc::om_test;

namespace {

std::string good_file() {
  OmMetadata meta;
  meta.soc_version = "Ascend310P3";
  meta.model_name = "q";
  return serialize_om(quantized_graph(), meta);
}

/// Expects deserialize_om(\p bytes) to fail with \p code and a message that names the
/// file and contains \p words.
void expect_error(const std::string& bytes, ErrorCode code, const std::string& words,
                  const std::string& expected_soc = "") {
  const Error e = read_error(bytes, expected_soc);
  EXPECT_EQ(e.code(), code) << e.what();
  EXPECT_NE(e.message().find("model.om"), std::string::npos) << e.what();
  EXPECT_NE(e.message().find(words), std::string::npos) << e.what();
}

void set_u32(std::string& bytes, size_t at, uint32_t value) { om_layout::put_u32(bytes, at, value); }

}  // namespace

TEST(OmReader, AcceptsTheGoodFile) { EXPECT_NO_THROW(deserialize_om(good_file(), "model.om", "Ascend310P3")); }

TEST(OmReader, FileShorterThanTheHeader) {
  expect_error(good_file().substr(0, 100), ErrorCode::kInvalidModel, "shorter than the 256-byte");
}

TEST(OmReader, BadMagic) {
  std::string bytes = good_file();
  bytes[0] = 'X';
  expect_error(bytes, ErrorCode::kInvalidModel, "not an .om file");
}

TEST(OmReader, BadHeaderSize) {
  std::string bytes = good_file();
  set_u32(bytes, 4, 128);
  expect_error(bytes, ErrorCode::kInvalidModel, "header size field is 128");
}

TEST(OmReader, UnknownFormatVersion) {
  std::string bytes = good_file();
  set_u32(bytes, 8, 0x10000000);
  expect_error(bytes, ErrorCode::kInvalidModel, "format version 0x10000000");
}

TEST(OmReader, TruncatedBody) {
  const std::string bytes = good_file();
  expect_error(bytes.substr(0, bytes.size() - 1), ErrorCode::kInvalidModel, "truncated or extended");
}

TEST(OmReader, WrongLengthField) {
  std::string bytes = good_file();
  set_u32(bytes, 76, static_cast<uint32_t>(bytes.size()));
  expect_error(bytes, ErrorCode::kInvalidModel, "bytes follow it");
}

TEST(OmReader, FlippedBodyByteFailsTheChecksum) {
  std::string bytes = good_file();
  bytes[bytes.size() / 2] ^= 0x01;
  expect_error(bytes, ErrorCode::kInvalidModel, "checksum mismatch");
}

TEST(OmReader, FlippedChecksumByteFailsTheChecksum) {
  std::string bytes = good_file();
  bytes[12] ^= 0x80;
  expect_error(bytes, ErrorCode::kInvalidModel, "checksum mismatch");
}

TEST(OmReader, EncryptedFilesAreNotSupported) {
  std::string bytes = good_file();
  bytes[80] = 1;
  expect_error(bytes, ErrorCode::kUnsupportedOp, "encrypted");
}

TEST(OmReader, FilesWithoutChecksumCheckAreRefused) {
  std::string bytes = good_file();
  bytes[81] = 1;  // ModelCheckType::UNCHECK
  expect_error(bytes, ErrorCode::kInvalidModel, "is_checksum = 1");
}

TEST(OmReader, MultiModelFilesAreNotSupported) {
  std::string bytes = good_file();
  set_u32(bytes, 156, 2);
  expect_error(bytes, ErrorCode::kUnsupportedOp, "holds 2 models");
}

TEST(OmReader, UnknownSchemaVersion) {
  std::string bytes = good_file();
  set_u32(bytes, 152, 7);
  expect_error(bytes, ErrorCode::kInvalidModel, "schema version 7");
}

TEST(OmReader, PartitionTableThatDoesNotFit) {
  std::string bytes = good_file();
  set_u32(bytes, 256, 100000000);
  expect_error(reseal(bytes), ErrorCode::kInvalidModel, "partition table of 100000000 entries");
}

TEST(OmReader, PartitionOffsetOutOfBounds) {
  std::string bytes = good_file();
  set_u32(bytes, 256 + 4 + 12 * 2 + 4, 0xFFFFFF00);  // TASK_INFO's offset
  expect_error(reseal(bytes), ErrorCode::kInvalidModel, "TASK_INFO [4294967040");
}

TEST(OmReader, OverlappingPartitions) {
  std::string bytes = good_file();
  set_u32(bytes, 256 + 4 + 12 * 1 + 4, 0);  // WEIGHTS_DATA starts where MODEL_DEF does
  expect_error(reseal(bytes), ErrorCode::kInvalidModel, "overlap");
}

TEST(OmReader, UnknownOrDuplicatePartitionType) {
  std::string unknown = good_file();
  set_u32(unknown, 256 + 4 + 12 * 2, 3);  // TBE_KERNELS
  expect_error(reseal(unknown), ErrorCode::kInvalidModel, "has type 3");
  std::string duplicate = good_file();
  set_u32(duplicate, 256 + 4 + 12 * 2, 1);
  expect_error(reseal(duplicate), ErrorCode::kInvalidModel, "lists WEIGHTS_DATA twice");
}

TEST(OmReader, ModelDefThatIsNotProtobuf) {
  OmParts parts = split_om(good_file());
  parts.model_def = std::string("\xFF\xFF\xFF\xFF garbage", 12);
  expect_error(join_om(parts), ErrorCode::kInvalidModel, "MODEL_DEF (12 bytes) is not a valid protobuf");
}

TEST(OmReader, TaskInfoThatIsNotProtobuf) {
  OmParts parts = split_om(good_file());
  parts.task_info = "\x0A\x7F";  // a length-delimited field longer than the data
  expect_error(join_om(parts), ErrorCode::kInvalidModel, "TASK_INFO (2 bytes) is not a valid protobuf");
}

TEST(OmReader, ConstantOutsideTheWeights) {
  const std::string bytes = edit_model_def(good_file(), [](proto::ModelDef& def) {
    def.mutable_graph()->mutable_constant(0)->mutable_data()->set_offset(1 << 20);
  });
  expect_error(bytes, ErrorCode::kInvalidModel, "lies outside WEIGHTS_DATA");
}

TEST(OmReader, ConstantSizeThatDoesNotMatchItsShape) {
  const std::string bytes = edit_model_def(good_file(), [](proto::ModelDef& def) {
    def.mutable_graph()->mutable_constant(0)->mutable_data()->add_dims(2);
  });
  expect_error(bytes, ErrorCode::kInvalidModel, "needs 144");
}

TEST(OmReader, ConstantWithANegativeOrHugeShape) {
  const std::string negative = edit_model_def(good_file(), [](proto::ModelDef& def) {
    def.mutable_graph()->mutable_constant(0)->mutable_data()->set_dims(0, -4);
  });
  expect_error(negative, ErrorCode::kInvalidModel, "invalid shape");
  const std::string huge = edit_model_def(good_file(), [](proto::ModelDef& def) {
    auto* data = def.mutable_graph()->mutable_constant(0)->mutable_data();
    data->set_dims(0, int64_t{1} << 40);
    data->set_dims(1, int64_t{1} << 40);
  });
  expect_error(huge, ErrorCode::kInvalidModel, "invalid shape");
}

TEST(OmReader, MisalignedConstant) {
  const std::string bytes = edit_model_def(good_file(), [](proto::ModelDef& def) {
    def.mutable_graph()->mutable_constant(0)->mutable_data()->set_offset(3);
  });
  expect_error(bytes, ErrorCode::kInvalidModel, "not a multiple of 64");
}

TEST(OmReader, UnknownElementTypes) {
  const std::string weight = edit_model_def(good_file(), [](proto::ModelDef& def) {
    def.mutable_graph()->mutable_constant(0)->mutable_data()->set_dtype(8);  // ONNX STRING
  });
  expect_error(weight, ErrorCode::kInvalidModel, "unknown element type 8");
  const std::string stored = edit_model_def(good_file(), [](proto::ModelDef& def) {
    def.mutable_graph()->mutable_constant(0)->mutable_data()->set_stored_dtype(10);  // int8 "stored as FP16"
  });
  expect_error(stored, ErrorCode::kInvalidModel, "int8 tensor stored as element type 10");
  const std::string value = edit_model_def(good_file(), [](proto::ModelDef& def) {
    def.mutable_graph()->mutable_input(0)->set_dtype(99);
  });
  expect_error(value, ErrorCode::kInvalidModel, "graph input 'x' has the unknown element type 99");
}

TEST(OmReader, AttributeWithoutValueOrTwice) {
  const std::string empty = edit_model_def(good_file(), [](proto::ModelDef& def) {
    def.mutable_graph()->mutable_op(0)->add_attr()->set_name("hollow");
  });
  expect_error(empty, ErrorCode::kInvalidModel, "attribute 'hollow' has no value");
  const std::string twice = edit_model_def(good_file(), [](proto::ModelDef& def) {
    auto* op = def.mutable_graph()->mutable_op(0);
    *op->add_attr() = op->attr(0);
  });
  expect_error(twice, ErrorCode::kInvalidModel, "twice");
}

TEST(OmReader, OpInputThatNothingProduces) {
  const std::string bytes = edit_model_def(good_file(), [](proto::ModelDef& def) {
    def.mutable_graph()->mutable_op(1)->set_input(0, "ghost");
  });
  expect_error(bytes, ErrorCode::kInvalidModel, "'ghost'");
}

TEST(OmReader, HeaderOpCountMustMatchTheGraph) {
  std::string bytes = good_file();
  set_u32(bytes, 116, 9);  // the header is outside the checksum: this is caught by the cross-check
  expect_error(bytes, ErrorCode::kInvalidModel, "counts 9 ops");
}

TEST(OmReader, HeaderSocMustMatchModelDef) {
  std::string bytes = good_file();
  bytes[160 + 6] = '9';  // "Ascend910P3"
  expect_error(bytes, ErrorCode::kInvalidModel, "differs from MODEL_DEF's 'Ascend310P3'");
}

TEST(OmReader, SocMismatchNamesTheFlag) {
  const Error e = read_error(good_file(), "Ascend910B1");
  EXPECT_EQ(e.code(), ErrorCode::kInvalidValue);
  EXPECT_EQ(std::string(e.what()),
            "E10001: Value [Ascend910B1] for parameter [--soc_version] is invalid. Reason: model.om was compiled "
            "for Ascend310P3");
}

TEST(OmReader, TaskInfoThatDoesNotMatchTheOps) {
  const std::string count = edit_task_info(good_file(), [](proto::TaskInfoDef& def) { def.mutable_task()->RemoveLast(); });
  expect_error(count, ErrorCode::kInvalidModel, "3 tasks for 4 ops");
  const std::string kernel = edit_task_info(good_file(), [](proto::TaskInfoDef& def) {
    def.mutable_task(1)->set_kernel("Conv");
  });
  expect_error(kernel, ErrorCode::kInvalidModel, "does not match op 1, QConv 'conv1'");
}

TEST(OmReader, TaskInfoPlacementsAreChecked) {
  const std::string size = edit_task_info(good_file(), [](proto::TaskInfoDef& def) {
    def.mutable_value(0)->set_size(8);
  });
  expect_error(size, ErrorCode::kInvalidModel, "planned with 8 bytes");
  const std::string outside = edit_task_info(good_file(), [](proto::TaskInfoDef& def) {
    def.mutable_value(0)->set_offset(static_cast<int64_t>(def.arena_size()));
  });
  expect_error(outside, ErrorCode::kInvalidModel, "aligned range of the");
  const std::string lifetime = edit_task_info(good_file(), [](proto::TaskInfoDef& def) {
    def.mutable_value(0)->set_last_op(0);
  });
  expect_error(lifetime, ErrorCode::kInvalidModel, "does not match output 'xq'");
}

TEST(OmReader, TaskInfoMustNotOverlapLiveValues) {
  // xq (ops 0..3) and acc (ops 1..2) are live together; move xq onto acc.
  const std::string bytes = edit_task_info(good_file(), [](proto::TaskInfoDef& def) {
    ASSERT_EQ(def.value(0).name(), "xq");
    ASSERT_EQ(def.value(1).name(), "acc");
    def.mutable_value(0)->set_offset(def.value(1).offset());
  });
  expect_error(bytes, ErrorCode::kInvalidModel, "overlapping arena bytes");
}

TEST(OmReader, UnreadableFileIsAnIoError) {
  try {
    read_om(testing_support::temp_dir("om_missing") + "/absent.om");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kFileIo);
    EXPECT_NE(e.message().find("absent.om"), std::string::npos);
  }
}

TEST(OmReader, NoSingleByteCorruptionGetsPastTheChecksOrCrashes) {
  // Flip each byte; body corruptions are re-sealed so they get past the checksum into the
  // partition table, protobuf, weight and plan checks. Every outcome must be a ptqc::Error
  // or a model that passed every check (e.g. a changed weight value or header name).
  const std::string good = good_file();
  size_t rejected = 0;
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bytes = good;
    bytes[i] = static_cast<char>(bytes[i] ^ 0x5A);
    try {
      deserialize_om(i < kOmHeaderSize ? bytes : reseal(bytes), "model.om");
    } catch (const Error&) {
      ++rejected;
    }
  }
  EXPECT_GT(rejected, good.size() / 2);
}
