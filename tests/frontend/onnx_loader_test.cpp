#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ptqc/error.h"
#include "ptqc/executor.h"
#include "ptqc/onnx_frontend.h"
#include "ptqc/shape_inference.h"
#include "support/test_models.h"

using namespace ptqc;
using namespace ptqc::testing_support;

namespace {

/// y = x + bias, x: [N, 3] (N symbolic), bias: [3] initializer.
onnx::ModelProto add_bias_model(int64_t opset = 13) {
  auto model = empty_model(opset);
  auto* g = model.mutable_graph();
  add_value(g->add_input(), "x", onnx::TensorProto::FLOAT, {-1, 3});
  add_value(g->add_output(), "y", onnx::TensorProto::FLOAT, {-1, 3});
  *g->add_initializer() = float_initializer("bias", {3}, {1.0f, 2.0f, 3.0f});
  add_node(model, "Add", {"x", "bias"}, {"y"}, "add");
  return model;
}

ErrorCode load_error(const std::string& path, const LoadOptions& options = {}) {
  try {
    load_onnx_model(path, options);
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode::kInternal;  // no error: the test fails on the comparison
}

TEST(OnnxLoader, LoadsInputsOutputsAndInitializers) {
  Graph g = load_onnx_model(save_temp_model(add_bias_model(), "basic"));
  EXPECT_EQ(g.opset, 13);
  ASSERT_EQ(g.inputs.size(), 1u);
  EXPECT_EQ(g.inputs[0].dims, (Shape{-1, 3}));
  ASSERT_TRUE(g.is_constant("bias"));
  EXPECT_EQ(g.constant("bias")->values<float>()[2], 3.0f);
  ASSERT_TRUE(g.info("y").has_value());
}

TEST(OnnxLoader, BindsInputShapeAndTheKernelsPropagateIt) {
  LoadOptions options;
  options.input_shapes = parse_input_shape("x:4,3");
  Graph g = load_onnx_model(save_temp_model(add_bias_model(), "bind"), options);
  EXPECT_EQ(g.inputs[0].dims, (Shape{4, 3}));
  EXPECT_EQ(g.info("y")->dims, (Shape{-1, 3}));  // as the file declares it
  annotate_graph_shapes(g);
  EXPECT_EQ(g.info("y")->dims, (Shape{4, 3}));
}

TEST(OnnxLoader, RejectsInputShapesThatDoNotFit) {
  const std::string path = save_temp_model(add_bias_model(), "badshape");
  for (const char* spec : {"nope:1,3", "x:1,3,5", "x:2,4"}) {
    LoadOptions options;
    options.input_shapes = parse_input_shape(spec);
    EXPECT_EQ(load_error(path, options), ErrorCode::kInvalidValue) << spec;
  }
}

TEST(InputShape, ParsesAtcSyntaxAndRejectsBadDims) {
  const auto shapes = parse_input_shape("input0:1,3,224,224;mask:1,-1");
  EXPECT_EQ(shapes.at("input0"), (Shape{1, 3, 224, 224}));
  EXPECT_EQ(shapes.at("mask"), (Shape{1, -1}));
  EXPECT_EQ(parse_input_shape("input:0:1,2").at("input:0"), (Shape{1, 2}));  // tf2onnx names contain ':'
  for (const char* bad : {"x:1,0", "x:1,-2", "x:a,3", "x1,3", "x:1;x:2"}) {
    EXPECT_THROW(parse_input_shape(bad), Error) << bad;
  }
  try {
    parse_input_shape("");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kEmptyValue);
  }
}

TEST(OnnxLoader, CorruptTruncatedAndMissingFilesAreCodedErrors) {
  const std::string good = save_temp_model(add_bias_model(), "corrupt");
  std::string bytes;
  {
    std::ifstream in(good, std::ios::binary);
    bytes.assign((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  const std::string dir = temp_dir("corrupt2");
  std::ofstream(dir + "/truncated.onnx", std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  std::ofstream(dir + "/garbage.onnx", std::ios::binary) << "\xff\xff\xff garbage that is not protobuf";
  EXPECT_EQ(load_error(dir + "/truncated.onnx"), ErrorCode::kInvalidModel);
  EXPECT_EQ(load_error(dir + "/garbage.onnx"), ErrorCode::kInvalidModel);
  EXPECT_EQ(load_error(dir + "/missing.onnx"), ErrorCode::kFileIo);
}

TEST(OnnxLoader, UnknownOpIsReportedWithNodeAndOpset) {
  auto model = add_bias_model();
  model.mutable_graph()->mutable_node(0)->set_op_type("FancyOp");
  Graph g = load_onnx_model(save_temp_model(model, "unknown"));
  try {
    Executor executor(std::move(g));
    FAIL() << "an unknown op must be rejected";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnsupportedOp);
    EXPECT_NE(std::string(e.what()).find("FancyOp 'add'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("opset 13"), std::string::npos) << e.what();
  }
}

TEST(OnnxLoader, DanglingValueIsAnInvalidModel) {
  auto model = add_bias_model();
  model.mutable_graph()->mutable_node(0)->set_input(1, "nowhere");
  EXPECT_EQ(load_error(save_temp_model(model, "dangling")), ErrorCode::kInvalidModel);
}

TEST(OnnxLoader, OpsetOutsideTheRangeIsUnsupported) {
  EXPECT_EQ(load_error(save_temp_model(add_bias_model(22), "opset22")), ErrorCode::kUnsupportedOp);
}

TEST(OnnxLoader, ConstantNodesBecomeInitializers) {
  auto model = add_bias_model();
  auto* g = model.mutable_graph();
  g->clear_initializer();
  auto* c = add_node(model, "Constant", {}, {"bias"}, "bias_const");
  auto* a = c->add_attribute();
  a->set_name("value");
  a->set_type(onnx::AttributeProto::TENSOR);
  *a->mutable_t() = float_initializer("", {3}, {4.0f, 5.0f, 6.0f});
  g->mutable_node()->SwapElements(0, 1);  // Constant after its reader: the loader sorts
  Graph graph = load_onnx_model(save_temp_model(model, "constnode"));
  ASSERT_TRUE(graph.is_constant("bias"));
  EXPECT_EQ(graph.nodes.size(), 1u);
  EXPECT_EQ(graph.constant("bias")->values<float>()[1], 5.0f);
}

TEST(OnnxLoader, Float16ModelRunsInFloat32AndRemembersItsDeclaredType) {
  auto model = empty_model(13);
  auto* g = model.mutable_graph();
  add_value(g->add_input(), "x", onnx::TensorProto::FLOAT16, {2});
  add_value(g->add_output(), "y", onnx::TensorProto::FLOAT16, {2});
  onnx::TensorProto w;
  w.set_name("w");
  w.set_data_type(onnx::TensorProto::FLOAT16);
  w.add_dims(2);
  const uint16_t halves[2] = {float_to_half(1.5f), float_to_half(-2.0f)};
  w.set_raw_data(std::string(reinterpret_cast<const char*>(halves), sizeof halves));
  *g->add_initializer() = w;
  add_node(model, "Mul", {"x", "w"}, {"y"});
  Graph graph = load_onnx_model(save_temp_model(model, "fp16"));
  EXPECT_EQ(graph.inputs[0].dtype, DataType::kFloat32);
  EXPECT_EQ(graph.inputs[0].declared_dtype, DataType::kFloat16);
  EXPECT_EQ(graph.constant("w")->dtype(), DataType::kFloat32);
  EXPECT_EQ(graph.constant("w")->values<float>()[0], 1.5f);
}

TEST(OnnxLoader, ExternalDataTensorsLoadFromBesideTheModel) {
  auto model = add_bias_model();
  auto* init = model.mutable_graph()->mutable_initializer(0);
  init->clear_raw_data();
  init->set_data_location(onnx::TensorProto::EXTERNAL);
  auto add_kv = [&](const char* k, const std::string& v) {
    auto* e = init->add_external_data();
    e->set_key(k);
    e->set_value(v);
  };
  add_kv("location", "weights.bin");
  add_kv("offset", "4");
  add_kv("length", "12");
  const std::string path = save_temp_model(model, "external");
  const std::string dir = std::filesystem::path(path).parent_path().string();
  const float data[4] = {99.0f, 7.0f, 8.0f, 9.0f};
  std::ofstream(dir + "/weights.bin", std::ios::binary).write(reinterpret_cast<const char*>(data), sizeof data);
  Graph g = load_onnx_model(path);
  EXPECT_EQ(g.constant("bias")->values<float>()[0], 7.0f);
  EXPECT_EQ(g.constant("bias")->values<float>()[2], 9.0f);

  std::filesystem::resize_file(dir + "/weights.bin", 8);  // too short now
  EXPECT_EQ(load_error(path), ErrorCode::kInvalidModel);
}

}  // namespace

// Models are untrusted: external data cannot leave the model's folder, sizes are checked
// before anything is allocated or read, and nothing is silently overwritten.
namespace {

/// The loader's error for \p path (code and message); kInternal when it loaded.
Error load_failure(const std::string& path) {
  try {
    load_onnx_model(path);
  } catch (const Error& e) {
    return e;
  }
  return Error(ErrorCode::kInternal, "loaded");
}

/// add_bias_model with the bias stored as external data {location, offset, length}.
std::string external_bias_model(const std::string& location, const std::string& offset, const std::string& length) {
  auto model = add_bias_model();
  auto* init = model.mutable_graph()->mutable_initializer(0);
  init->clear_raw_data();
  init->set_data_location(onnx::TensorProto::EXTERNAL);
  for (const auto& [k, v] : {std::pair{"location", location}, std::pair{"offset", offset}, std::pair{"length", length}}) {
    auto* e = init->add_external_data();
    e->set_key(k);
    e->set_value(v);
  }
  return save_temp_model(model, "external");
}

TEST(UntrustedModel, ExternalDataCannotLeaveTheModelsFolder) {
  const std::string inside = external_bias_model("weights.bin", "0", "12");
  const std::filesystem::path dir = std::filesystem::path(inside).parent_path();
  std::ofstream(dir / "weights.bin", std::ios::binary) << std::string(12, '\0');
  EXPECT_NO_THROW(load_onnx_model(inside));
  std::ofstream(dir.parent_path() / "ptqc_secret.bin", std::ios::binary) << std::string(12, 's');
  struct Case {
    std::string location, words;
  } cases[] = {{"/etc/passwd", "absolute path"},
               {"../ptqc_secret.bin", "leaves the model's folder"},
               {"sub/../../ptqc_secret.bin", "leaves the model's folder"},
               {"up/ptqc_secret.bin", "outside the model's folder"}};  // through a symbolic link
  for (const auto& c : cases) {
    const std::string path = external_bias_model(c.location, "0", "12");
    std::filesystem::create_directory_symlink(dir.parent_path(), std::filesystem::path(path).parent_path() / "up");
    const Error e = load_failure(path);
    EXPECT_EQ(e.code(), ErrorCode::kInvalidModel) << c.location << ": " << e.what();
    EXPECT_NE(e.message().find(c.words), std::string::npos) << e.what();
  }
  std::filesystem::remove(dir.parent_path() / "ptqc_secret.bin");
}

TEST(UntrustedModel, ExternalRangesAreCheckedAgainstTheFileBeforeReading) {
  for (const auto& [offset, length] : {std::pair{"18446744073709551615", "12"},  // offset + length wraps
                                       std::pair{"8", "12"},                     // past the end of 16 bytes
                                       std::pair{"0", "16"},                     // not the tensor's 12 bytes
                                       std::pair{"-1", "12"}, std::pair{"4x", "12"}}) {
    const std::string path = external_bias_model("weights.bin", offset, length);
    std::ofstream(std::filesystem::path(path).parent_path() / "weights.bin", std::ios::binary) << std::string(16, '\0');
    EXPECT_EQ(load_failure(path).code(), ErrorCode::kInvalidModel) << offset << "+" << length;
  }
  const std::string dir_location = external_bias_model("data", "0", "12");
  std::filesystem::create_directory(std::filesystem::path(dir_location).parent_path() / "data");
  EXPECT_EQ(load_failure(dir_location).code(), ErrorCode::kFileIo);  // a directory is not a data file
}

TEST(UntrustedModel, InitializerDimsAreCheckedBeforeAllocating) {
  auto wrapping = add_bias_model();
  auto* init = wrapping.mutable_graph()->mutable_initializer(0);
  init->clear_dims();
  for (int64_t d : {int64_t{1} << 32, int64_t{1} << 32, int64_t{1} << 32}) init->add_dims(d);  // 2^96 wraps to 0
  const Error wraps = load_failure(save_temp_model(wrapping, "wrap"));
  EXPECT_EQ(wraps.code(), ErrorCode::kInvalidModel);
  EXPECT_NE(wraps.message().find("initializer 'bias'"), std::string::npos) << wraps.what();

  auto huge = add_bias_model();
  init = huge.mutable_graph()->mutable_initializer(0);
  init->clear_dims();
  for (int64_t d : {int64_t{1} << 30, int64_t{1} << 30}) init->add_dims(d);  // 4 EiB of floats, 12 bytes given
  const Error too_big = load_failure(save_temp_model(huge, "huge"));
  EXPECT_EQ(too_big.code(), ErrorCode::kInvalidModel);
  EXPECT_NE(too_big.message().find("1073741824x1073741824"), std::string::npos) << too_big.what();

  auto typed = add_bias_model();
  init = typed.mutable_graph()->mutable_initializer(0);
  init->clear_raw_data();
  init->add_float_data(1.0f);  // one value for a [3] tensor
  EXPECT_EQ(load_failure(save_temp_model(typed, "typed")).code(), ErrorCode::kInvalidModel);
}

TEST(UntrustedModel, DuplicatesAreErrorsNotOverwrites) {
  auto two_initializers = add_bias_model();
  *two_initializers.mutable_graph()->add_initializer() = float_initializer("bias", {3}, {9.0f, 9.0f, 9.0f});
  const Error init = load_failure(save_temp_model(two_initializers, "dupinit"));
  EXPECT_EQ(init.code(), ErrorCode::kInvalidModel);
  EXPECT_NE(init.message().find("'bias' is defined twice"), std::string::npos) << init.what();

  auto constant_clash = add_bias_model();
  auto* c = add_node(constant_clash, "Constant", {}, {"bias"}, "c");
  auto* value = c->add_attribute();
  value->set_name("value_float");
  value->set_type(onnx::AttributeProto::FLOAT);
  value->set_f(1.0f);
  EXPECT_EQ(load_failure(save_temp_model(constant_clash, "dupconst")).code(), ErrorCode::kInvalidModel);

  auto two_attrs = add_bias_model();
  auto* gemm = add_node(two_attrs, "Gemm", {"y", "bias"}, {"z"}, "gemm");
  set_int_attr(gemm, "transB", 0);
  set_int_attr(gemm, "transB", 1);
  const Error attr = load_failure(save_temp_model(two_attrs, "dupattr"));
  EXPECT_EQ(attr.code(), ErrorCode::kInvalidModel);
  EXPECT_NE(attr.message().find("attribute 'transB' is given twice"), std::string::npos) << attr.what();

  auto two_opsets = add_bias_model();
  auto* again = two_opsets.add_opset_import();
  again->set_domain("ai.onnx");
  again->set_version(11);
  EXPECT_EQ(load_failure(save_temp_model(two_opsets, "dupopset")).code(), ErrorCode::kInvalidModel);
}

TEST(UntrustedModel, TheModelFileMustBeARegularFile) {
  const std::string dir = temp_dir("notafile");
  EXPECT_EQ(load_failure(dir).code(), ErrorCode::kFileIo);
  EXPECT_EQ(load_failure("/dev/zero").code(), ErrorCode::kFileIo);
}

}  // namespace

namespace {

TEST(UntrustedModel, ACrashInOnnxsOpsetConverterIsAnErrorNotACrash) {
  // Opset 6 goes through ONNX's shape inference and version converter, which divide by
  // blocksize^2 = 2^64 = 0 here. They run in a child process, so this is an E19020 error.
  auto model = empty_model(6);
  add_value(model.mutable_graph()->add_input(), "x", onnx::TensorProto::FLOAT, {1, 4, 2, 2});
  add_value(model.mutable_graph()->add_output(), "y", onnx::TensorProto::FLOAT, {});
  set_int_attr(add_node(model, "DepthToSpace", {"x"}, {"y"}, "d2s"), "blocksize", int64_t{1} << 32);
  const Error e = load_failure(save_temp_model(model, "legacy_crash"));
  EXPECT_EQ(e.code(), ErrorCode::kInvalidModel) << e.what();
  EXPECT_NE(e.message().find("cannot be upgraded"), std::string::npos) << e.what();
}

}  // namespace
