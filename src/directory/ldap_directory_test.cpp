// SPDX-License-Identifier: Apache-2.0
// LdapDirectory without a directory: config refusals, unreachable and silent servers.
// The behaviour against a real slapd is covered by tests/directory/test_ldap.py.
#include "directory/ldap_directory.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

namespace sealpost::directory {
namespace {

// A loopback TCP socket that listens but never accepts: the kernel completes the TCP
// handshake, then nothing is ever said (a tarpit). Closing it first gives a refusing port.
class SilentListener final {
 public:
  SilentListener() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 || listen(fd_, 16) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ADD_FAILURE() << "cannot listen on loopback";
    }
    port_ = ntohs(addr.sin_port);
  }
  ~SilentListener() { Close(); }
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;

  int port() const { return port_; }
  std::string Url(const char* scheme = "ldap") const {
    return std::string(scheme) + "://127.0.0.1:" + std::to_string(port_);
  }
  bool SomeoneConnected() const {
    int client = accept(fd_, nullptr, nullptr);
    if (client < 0) return false;
    close(client);
    return true;
  }
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

LdapConfig ConfigFor(std::string url) {
  LdapConfig config;
  config.server_address = std::move(url);
  config.base_dn = "dc=example,dc=org";
  config.timeout_ms = 300;
  return config;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST(LdapDirectoryTest, BindWithoutTlsIsRefusedBeforeConnecting) {
  SilentListener server;
  LdapConfig config = ConfigFor(server.Url());
  config.access_anonymously = false;
  config.bind_dn = "cn=reader,dc=example,dc=org";
  config.bind_password = SecretBytes("secret");
  auto directory = LdapDirectory::Create(std::move(config));
  ASSERT_FALSE(directory.has_value());
  EXPECT_EQ(directory.error().code(), ErrorCode::kPolicy);
  EXPECT_FALSE(server.SomeoneConnected());
}

TEST(LdapDirectoryTest, CreateDoesNotConnect) {
  SilentListener server;
  auto directory = LdapDirectory::Create(ConfigFor(server.Url()));
  ASSERT_TRUE(directory.has_value()) << directory.error().message();
  EXPECT_FALSE(server.SomeoneConnected());
}

TEST(LdapDirectoryTest, RefusedConnectionIsNetworkError) {
  SilentListener server;
  const std::string url = server.Url();
  server.Close();
  auto directory = LdapDirectory::Create(ConfigFor(url));
  ASSERT_TRUE(directory.has_value());
  auto result = directory->Lookup("bob@example.org");
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code(), ErrorCode::kNetwork);
  EXPECT_NE(result.error().message().find("the directory " + url + " cannot be reached"), std::string::npos)
      << result.error().message();
}

TEST(LdapDirectoryTest, SilentServerTimesOutAsNetworkError) {
  for (const char* scheme : {"ldap", "ldaps"}) {
    SilentListener server;
    auto directory = LdapDirectory::Create(ConfigFor(server.Url(scheme)));
    ASSERT_TRUE(directory.has_value()) << directory.error().message();
    const auto start = std::chrono::steady_clock::now();
    auto result = directory->Lookup("bob@example.org");
    ASSERT_FALSE(result.has_value()) << scheme;
    EXPECT_EQ(result.error().code(), ErrorCode::kNetwork) << result.error().message();
    EXPECT_LT(SecondsSince(start), 3.0) << scheme;
  }
}

TEST(LdapDirectoryTest, LookupManyOnADownServerFailsEveryAddressQuickly) {
  SilentListener server;
  const std::string url = server.Url();
  server.Close();
  auto directory = LdapDirectory::Create(ConfigFor(url));
  ASSERT_TRUE(directory.has_value());
  std::vector<std::string> addresses;
  for (int i = 0; i < 50; ++i) addresses.push_back("user" + std::to_string(i) + "@example.org");
  auto results = directory->LookupMany(addresses);
  ASSERT_EQ(results.size(), addresses.size());
  for (std::size_t i = 0; i < results.size(); ++i) {
    ASSERT_FALSE(results[i].has_value());
    EXPECT_EQ(results[i].error().code(), ErrorCode::kNetwork);
    EXPECT_NE(results[i].error().message().find(addresses[i]), std::string::npos);
  }
}

TEST(LdapDirectoryTest, EmptyOverlongAndControlCharacterAddressesAreInvalid) {
  auto directory = LdapDirectory::Create(ConfigFor("ldap://127.0.0.1:1"));
  ASSERT_TRUE(directory.has_value());
  using namespace std::string_literals;
  for (const std::string& address :
       {std::string(), std::string(400, 'a'), "alice@example.org\0"s, "alice\r\nbcc@example.org"s}) {
    auto result = directory->Lookup(address);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code(), ErrorCode::kInvalidArgument);
  }
}

TEST(LdapDirectoryTest, FilterForEscapesEveryPlaceholder) {
  auto directory = LdapDirectory::Create(ConfigFor("ldap://127.0.0.1:1"));
  ASSERT_TRUE(directory.has_value());
  EXPECT_EQ(directory->FilterFor("*)(mail=*"),
            "(|(mail=\\2a\\29\\28mail=\\2a)(proxyAddresses=smtp:\\2a\\29\\28mail=\\2a))");
}

TEST(LdapDirectoryTest, EmptyLookupManyReturnsNothing) {
  auto directory = LdapDirectory::Create(ConfigFor("ldap://127.0.0.1:1"));
  ASSERT_TRUE(directory.has_value());
  EXPECT_TRUE(directory->LookupMany({}).empty());
}

}  // namespace
}  // namespace sealpost::directory
