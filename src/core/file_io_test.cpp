// SPDX-License-Identifier: Apache-2.0
// Atomic writes leave either the new file or nothing.
#include "core/file_io.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

namespace sealpost {
namespace {

namespace fs = std::filesystem;

class FileIoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sealpost-fileio-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(FileIoTest, WriteThenReadRoundTripsWithMode) {
  std::string path = (dir_ / "out.txt").string();
  ASSERT_TRUE(WriteFileAtomically(path, "hello\r\n", 0600).has_value());
  auto data = ReadFile(path);
  ASSERT_TRUE(data.has_value());
  EXPECT_EQ(*data, "hello\r\n");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(FileIoTest, WriteIntoMissingDirectoryFailsAndLeavesNothing) {
  std::string path = (dir_ / "missing" / "out.txt").string();
  auto st = WriteFileAtomically(path, "x");
  ASSERT_FALSE(st.has_value());
  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(fs::is_empty(dir_));
}

// Bigger than one read step, and sizes stat does not report (a pipe's contents, /proc).
TEST_F(FileIoTest, ReadsWholeFilesOfEverySize) {
  for (size_t size : {size_t{0}, size_t{1}, size_t{65535}, size_t{65536}, size_t{1 << 20} + 3}) {
    SCOPED_TRACE(size);
    std::string content(size, '\0');
    for (size_t i = 0; i < size; ++i) content[i] = static_cast<char>('a' + i % 23);
    std::string path = (dir_ / "sized.bin").string();
    ASSERT_TRUE(WriteFileAtomically(path, content, 0600).has_value());
    auto data = ReadFile(path);
    ASSERT_TRUE(data.has_value());
    EXPECT_EQ(*data, content);
  }
  auto proc = ReadFile("/proc/self/status");  // st_size is 0 there
  ASSERT_TRUE(proc.has_value());
  EXPECT_NE(proc->find("Name:"), std::string::npos);
  auto capped = ReadFile((dir_ / "sized.bin").string(), 1000);
  ASSERT_FALSE(capped.has_value());
  EXPECT_EQ(capped.error().code(), ErrorCode::kLimit);
}

TEST_F(FileIoTest, ReadMissingFileIsNotFound) {
  auto data = ReadFile((dir_ / "nope").string());
  ASSERT_FALSE(data.has_value());
  EXPECT_EQ(data.error().code(), ErrorCode::kNotFound);
}

// ReadFileAt reads what ReadFile reads, and its errors name the whole path.
TEST_F(FileIoTest, ReadFileAtReadsRelativeToAnOpenFolder) {
  fs::create_directories(dir_ / "cur");
  ASSERT_TRUE(WriteFileAtomically((dir_ / "cur" / "m1").string(), "message one\r\n").has_value());
  auto folder = Directory::Open(dir_.string() + "/");
  ASSERT_TRUE(folder.has_value()) << folder.error().message();
  auto data = ReadFileAt(*folder, "cur/m1");
  ASSERT_TRUE(data.has_value()) << data.error().message();
  EXPECT_EQ(*data, "message one\r\n");

  auto missing = ReadFileAt(*folder, "cur/m2");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message().find(dir_.string() + "/cur/m2"), std::string::npos) << missing.error().message();
  auto folder_itself = ReadFileAt(*folder, "cur");
  ASSERT_FALSE(folder_itself.has_value());
  EXPECT_NE(folder_itself.error().message().find("it is a directory"), std::string::npos);
  auto capped = ReadFileAt(*folder, "cur/m1", 4);
  ASSERT_FALSE(capped.has_value());
  EXPECT_EQ(capped.error().code(), ErrorCode::kLimit);
}

TEST_F(FileIoTest, OpeningAMissingFolderIsNotFound) {
  auto folder = Directory::Open((dir_ / "nope").string());
  ASSERT_FALSE(folder.has_value());
  EXPECT_EQ(folder.error().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace sealpost
