// Reading untrusted paths: only regular files of a plausible size, checked before reading,
// so a directory, FIFO or device neither hangs nor fills memory.

#include "ptqc/file_io.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "ptqc/error.h"
#include "support/test_models.h"

using namespace ptqc;

namespace {

/// The E19000 message of reading \p path with read_file_bytes(path, max_bytes).
std::string read_error(const std::string& path, uint64_t max_bytes = 1 << 20) {
  try {
    read_file_bytes(path, max_bytes, "test file");
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kFileIo);
    return e.message();
  }
  ADD_FAILURE() << path << " was read";
  return "";
}

TEST(ReadFileBytes, ReadsARegularFile) {
  const std::string dir = testing_support::temp_dir("fileio");
  std::ofstream(dir + "/a.bin", std::ios::binary) << "hello";
  EXPECT_EQ(read_file_bytes(dir + "/a.bin", 5, "test file"), "hello");
  EXPECT_EQ(regular_file_size(dir + "/a.bin", "test file"), 5u);
  EXPECT_EQ(read_file_range(dir + "/a.bin", 1, 3, "test file"), "ell");
}

TEST(ReadFileBytes, RefusesWhatIsNotARegularFileBeforeReading) {
  const std::string dir = testing_support::temp_dir("fileio");
  EXPECT_NE(read_error(dir).find("is a directory"), std::string::npos);
  EXPECT_NE(read_error(dir + "/missing").find("no such file"), std::string::npos);
  EXPECT_NE(read_error("/dev/zero").find("is a device"), std::string::npos);
  // Opening a FIFO for reading would wait for a writer forever; it must be refused at once.
  ASSERT_EQ(::mkfifo((dir + "/fifo").c_str(), 0600), 0);
  EXPECT_NE(read_error(dir + "/fifo").find("is a FIFO"), std::string::npos);
}

TEST(ReadFileBytes, SizeIsJudgedBeforeTheFileIsRead) {
  const std::string dir = testing_support::temp_dir("fileio");
  std::ofstream(dir + "/big.bin", std::ios::binary) << std::string(100, 'x');
  const std::string message = read_error(dir + "/big.bin", 99);
  EXPECT_NE(message.find("100 bytes, more than the 99"), std::string::npos) << message;
  try {
    read_file_range(dir + "/big.bin", 90, 20, "test file");
    FAIL() << "a range past the end was read";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("needs 20 bytes at offset 90"), std::string::npos) << e.message();
  }
  EXPECT_THROW(read_file_range(dir + "/big.bin", UINT64_MAX, 2, "test file"), Error);  // offset + length wraps
}

}  // namespace
