// SPDX-License-Identifier: Apache-2.0
// Passphrase sources: the file's first line, its warnings and limits, and no echo on a tty.
#include "keys/passphrase.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <string>

#include "keys/internal/terminal_prompt.h"

namespace sealpost::keys {
namespace {

namespace fs = std::filesystem;

class PassphraseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "sealpost-pass-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    ::unsetenv(kPassphraseFileEnv);
  }
  void TearDown() override {
    ::unsetenv(kPassphraseFileEnv);
    fs::remove_all(dir_);
  }
  std::string Write(const std::string& name, const std::string& content, unsigned mode = 0600) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << content;
    ::chmod(path.c_str(), mode);
    return path;
  }
  std::string dir_;
};

TEST_F(PassphraseTest, FileGivesItsFirstLineWithoutTheLineEnding) {
  for (const char* content : {"s3cret pass\n", "s3cret pass\r\nsecond line\n", "s3cret pass"}) {
    auto pass = ReadPassphraseFile(Write("p", content));
    ASSERT_TRUE(pass.has_value()) << pass.error().message();
    EXPECT_EQ(pass->secret.view(), "s3cret pass");
    EXPECT_TRUE(pass->warning.empty());
  }
}

TEST_F(PassphraseTest, FileReadableByOthersIsUsedWithAWarning) {
  std::string path = Write("p", "s3cret\n", 0644);
  auto pass = ReadPassphraseFile(path);
  ASSERT_TRUE(pass.has_value());
  EXPECT_EQ(pass->secret.view(), "s3cret");
  EXPECT_NE(pass->warning.find(path), std::string::npos);
  EXPECT_EQ(pass->warning.find("s3cret"), std::string::npos);
}

TEST_F(PassphraseTest, EmptyFirstLineIsRefusedWithoutEchoingTheRest) {
  for (const char* content : {"", "\n", "\r\nhidden\n"}) {
    auto pass = ReadPassphraseFile(Write("p", content));
    ASSERT_FALSE(pass.has_value());
    EXPECT_EQ(pass.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(pass.error().message().find("hidden"), std::string::npos);
  }
}

TEST_F(PassphraseTest, MissingFileIsNotFound) {
  auto pass = ReadPassphraseFile(dir_ + "/nope");
  ASSERT_FALSE(pass.has_value());
  EXPECT_EQ(pass.error().code(), ErrorCode::kNotFound);
}

TEST_F(PassphraseTest, LinesUpTo4096BytesAreAcceptedAndLongerOnesRefused) {
  auto ok = ReadPassphraseFile(Write("ok", std::string(4096, 'a') + "\n"));
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->secret.size(), 4096u);
  auto ok_crlf = ReadPassphraseFile(Write("ok2", std::string(4096, 'a') + "\r\n"));
  ASSERT_TRUE(ok_crlf.has_value());
  EXPECT_EQ(ok_crlf->secret.size(), 4096u);
  auto long_line = ReadPassphraseFile(Write("long", std::string(4097, 'a') + "\n"));
  ASSERT_FALSE(long_line.has_value());
  EXPECT_EQ(long_line.error().code(), ErrorCode::kLimit);
}

TEST_F(PassphraseTest, ExplicitFileWinsOverTheEnvironment) {
  std::string env_file = Write("env", "from env\n");
  std::string flag_file = Write("flag", "from flag\n");
  ::setenv(kPassphraseFileEnv, env_file.c_str(), 1);
  EXPECT_EQ(GetPassphrase("Passphrase: ", PassphraseUse::kUnlock)->secret.view(), "from env");
  EXPECT_EQ(GetPassphrase("Passphrase: ", PassphraseUse::kNew, flag_file)->secret.view(), "from flag");
}

// Reads what the terminal shows until `until` appears or 5 s pass (200 ms idle if empty).
std::string ReadScreen(int master, const std::string& until) {
  std::string screen;
  while (until.empty() || screen.find(until) == std::string::npos) {
    pollfd pfd{master, POLLIN, 0};
    if (::poll(&pfd, 1, until.empty() ? 200 : 5000) <= 0) break;
    char buf[256];
    ssize_t n = ::read(master, buf, sizeof buf);
    if (n <= 0) break;
    screen.append(buf, static_cast<size_t>(n));
  }
  return screen;
}

TEST_F(PassphraseTest, TerminalPromptDoesNotEchoAndRestoresTheTerminal) {
  int master = ::posix_openpt(O_RDWR | O_NOCTTY);
  ASSERT_GE(master, 0);
  ASSERT_EQ(::grantpt(master), 0);
  ASSERT_EQ(::unlockpt(master), 0);
  int slave = ::open(::ptsname(master), O_RDWR | O_NOCTTY);
  ASSERT_GE(slave, 0);

  auto answer =
      std::async(std::launch::async, [slave] { return internal::ReadHiddenLine(slave, slave, "Vault passphrase: "); });
  // The prompt is written only once echo is off, so typing after it is safe to check.
  std::string screen = ReadScreen(master, "Vault passphrase: ");
  ASSERT_NE(screen.find("Vault passphrase: "), std::string::npos);
  ASSERT_EQ(::write(master, "hunter2-typed\n", 14), 14);
  auto pass = answer.get();
  ASSERT_TRUE(pass.has_value()) << pass.error().message();
  EXPECT_EQ(pass->view(), "hunter2-typed");
  screen += ReadScreen(master, "");
  EXPECT_EQ(screen.find("hunter2"), std::string::npos) << screen;

  // Echo is back on afterwards.
  termios tio{};
  ASSERT_EQ(::tcgetattr(slave, &tio), 0);
  EXPECT_NE(tio.c_lflag & ECHO, 0u);
  ::close(slave);
  ::close(master);
}

}  // namespace
}  // namespace sealpost::keys
