// The 256-byte ModelFileHeader encoding, byte by byte.

#include "om/om_header.h"

#include <gtest/gtest.h>

#include "om/byte_layout.h"

using namespace ptqc;

namespace {

OmFileHeader sample_header() {
  OmFileHeader h;
  h.magic = kOmMagic;
  h.headsize = kOmHeaderSize;
  h.version = kOmVersion;
  for (size_t i = 0; i < 32; ++i) h.checksum[i] = static_cast<uint8_t>(0xA0 + i);
  h.length = 0x01020304;
  h.is_encrypt = 0;
  h.is_checksum = 0;
  h.modeltype = 2;
  h.genmode = 1;
  h.name = "resnet";
  h.ops = 321;
  h.userdefineinfo = "ptqc 0.1.0";
  h.om_ir_version = 1;
  h.model_num = 1;
  h.platform_version = "Ascend310P3";
  h.platform_type = 5;
  return h;
}

}  // namespace

TEST(OmHeader, FieldsSitAtGraphEngineOffsets) {
  const std::string bytes = encode_om_header(sample_header());
  ASSERT_EQ(bytes.size(), 256u);
  EXPECT_EQ(bytes.substr(0, 4), "IMOD");                          // magic 0x444F4D49, little-endian
  EXPECT_EQ(bytes.substr(4, 4), std::string("\x00\x01\x00\x00", 4));  // headsize 256
  EXPECT_EQ(bytes.substr(8, 4), std::string("\x00\x00\x00\x20", 4));  // version 0x20000000
  EXPECT_EQ(static_cast<uint8_t>(bytes[12]), 0xA0);                 // checksum[0]
  EXPECT_EQ(static_cast<uint8_t>(bytes[43]), 0xBF);                 // checksum[31]
  EXPECT_EQ(bytes.substr(44, 32), std::string(32, '\0'));           // checksum[32..63]
  EXPECT_EQ(bytes.substr(76, 4), "\x04\x03\x02\x01");               // length
  EXPECT_EQ(bytes[80], 0);                                          // is_encrypt
  EXPECT_EQ(bytes[81], 0);                                          // is_checksum
  EXPECT_EQ(bytes[82], 2);                                          // modeltype
  EXPECT_EQ(bytes[83], 1);                                          // genmode
  EXPECT_EQ(bytes.substr(84, 7), std::string("resnet\0", 7));       // name[32]
  EXPECT_EQ(om_layout::get_u32(bytes, 116), 321u);                  // ops
  EXPECT_EQ(bytes.substr(120, 10), "ptqc 0.1.0");                   // userdefineinfo[32]
  EXPECT_EQ(om_layout::get_u32(bytes, 152), 1u);                    // om_ir_version
  EXPECT_EQ(om_layout::get_u32(bytes, 156), 1u);                    // model_num
  EXPECT_EQ(bytes.substr(160, 12), std::string("Ascend310P3\0", 12));  // platform_version[20]
  EXPECT_EQ(bytes[180], 5);                                         // platform_type
  EXPECT_EQ(bytes.substr(181), std::string(75, '\0'));              // reserved
}

TEST(OmHeader, DecodeInvertsEncode) {
  const OmFileHeader h = sample_header();
  const OmFileHeader d = decode_om_header(encode_om_header(h));
  EXPECT_EQ(d.magic, h.magic);
  EXPECT_EQ(d.headsize, h.headsize);
  EXPECT_EQ(d.version, h.version);
  EXPECT_EQ(d.checksum, h.checksum);
  EXPECT_EQ(d.length, h.length);
  EXPECT_EQ(d.modeltype, h.modeltype);
  EXPECT_EQ(d.genmode, h.genmode);
  EXPECT_EQ(d.name, h.name);
  EXPECT_EQ(d.ops, h.ops);
  EXPECT_EQ(d.userdefineinfo, h.userdefineinfo);
  EXPECT_EQ(d.om_ir_version, h.om_ir_version);
  EXPECT_EQ(d.model_num, h.model_num);
  EXPECT_EQ(d.platform_version, h.platform_version);
  EXPECT_EQ(d.platform_type, h.platform_type);
}

TEST(OmHeader, TextFieldsKeepATerminatingNul) {
  OmFileHeader h = sample_header();
  h.name = std::string(50, 'a');
  h.platform_version = "Ascend910B4-with-a-long-suffix";
  const std::string bytes = encode_om_header(h);
  EXPECT_EQ(bytes[84 + 31], '\0');
  EXPECT_EQ(bytes[160 + 19], '\0');
  const OmFileHeader d = decode_om_header(bytes);
  EXPECT_EQ(d.name, std::string(31, 'a'));
  EXPECT_EQ(d.platform_version, "Ascend910B4-with-a-");
}
