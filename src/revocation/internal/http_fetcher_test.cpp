// SPDX-License-Identifier: Apache-2.0
// HttpFetcher against a one-shot loopback server: the size cap while streaming, redirects
// to other schemes, HTTP errors, and URLs it must refuse without connecting.
#include "revocation/internal/http_fetcher.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

namespace sealpost::revocation::internal {
namespace {

// Accepts one connection on 127.0.0.1, reads the request head, writes `response`, then
// `stream_bytes` more 'x' bytes (without Content-Length) until the client goes away.
class OneShotServer final {
 public:
  OneShotServer(std::string response, size_t stream_bytes = 0) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof addr;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listener_, 1) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
      return;
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this, response = std::move(response), stream_bytes] {
      int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) return;
      std::string head;
      char c;
      while (head.find("\r\n\r\n") == std::string::npos && ::recv(fd, &c, 1, 0) == 1) head += c;
      // Drain a POST body too: closing with unread bytes would reset the connection.
      if (size_t at = head.find("Content-Length: "); at != std::string::npos) {
        for (long left = std::stol(head.substr(at + 16)); left > 0 && ::recv(fd, &c, 1, 0) == 1;) --left;
      }
      bool open = ::send(fd, response.data(), response.size(), MSG_NOSIGNAL) >= 0;
      std::string chunk(64 * 1024, 'x');
      for (size_t sent = 0; open && sent < stream_bytes; sent += chunk.size()) {
        open = ::send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL) >= 0;
      }
      ::close(fd);
    });
  }
  ~OneShotServer() {
    ::shutdown(listener_, SHUT_RDWR);  // unblocks accept() if the client never came
    if (thread_.joinable()) thread_.join();
    ::close(listener_);
  }
  std::string Url(const std::string& path = "/ca.crl") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  int port() const { return port_; }

 private:
  int listener_ = -1;
  int port_ = 0;
  std::thread thread_;
};

TEST(HttpFetcherTest, AcceptsOnlyPlainHttpUrls) {
  EXPECT_TRUE(IsHttpUrl("http://crl.example/ca.crl"));
  EXPECT_TRUE(IsHttpUrl("HTTP://127.0.0.1:8080/"));
  for (const char* bad : {"https://crl.example/ca.crl", "ldap://dir.example/cn=CA", "file:///etc/passwd", "http://",
                          "http:///path", "http://a b/", "ftp://x/", "", "http://x/\n"}) {
    EXPECT_FALSE(IsHttpUrl(bad)) << bad;
  }
}

TEST(HttpFetcherTest, RefusesOtherSchemesWithoutConnecting) {
  HttpFetcher fetcher(1000, 1024);
  auto body = fetcher.Get("file:///etc/hostname");
  ASSERT_FALSE(body.has_value());
  EXPECT_EQ(body.error().code(), ErrorCode::kInvalidArgument);
}

TEST(HttpFetcherTest, ReturnsTheBodyOfA200) {
  OneShotServer server("HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello");
  auto body = HttpFetcher(5000, 1024).Get(server.Url());
  ASSERT_TRUE(body.has_value()) << body.error().message();
  EXPECT_EQ(*body, "hello");
}

TEST(HttpFetcherTest, PostsAndReadsTheAnswer) {
  OneShotServer server("HTTP/1.0 200 OK\r\nContent-Type: application/ocsp-response\r\n\r\nanswer");
  auto body = HttpFetcher(5000, 1024).Post(server.Url("/"), "application/ocsp-request", "request");
  ASSERT_TRUE(body.has_value()) << body.error().message();
  EXPECT_EQ(*body, "answer");
}

TEST(HttpFetcherTest, StopsReadingPastTheCapWithoutContentLength) {
  OneShotServer server("HTTP/1.0 200 OK\r\n\r\n", 64u << 20);
  auto body = HttpFetcher(5000, 100'000).Get(server.Url());
  ASSERT_FALSE(body.has_value());
  EXPECT_EQ(body.error().code(), ErrorCode::kLimit);
}

TEST(HttpFetcherTest, RefusesAnnouncedOversizeBodies) {
  OneShotServer server("HTTP/1.0 200 OK\r\nContent-Length: 200000\r\n\r\n", 200'000);
  auto body = HttpFetcher(5000, 100'000).Get(server.Url());
  ASSERT_FALSE(body.has_value());
  EXPECT_EQ(body.error().code(), ErrorCode::kLimit);
}

TEST(HttpFetcherTest, DoesNotFollowRedirectsToOtherSchemes) {
  OneShotServer server("HTTP/1.0 302 Found\r\nLocation: file:///etc/hostname\r\nContent-Length: 0\r\n\r\n");
  auto body = HttpFetcher(5000, 1024).Get(server.Url());
  ASSERT_FALSE(body.has_value());
  EXPECT_EQ(body.error().code(), ErrorCode::kNetwork);
}

TEST(HttpFetcherTest, HttpErrorsAndClosedPortsAreNetworkFailures) {
  {
    OneShotServer server("HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    auto body = HttpFetcher(5000, 1024).Get(server.Url());
    ASSERT_FALSE(body.has_value());
    EXPECT_EQ(body.error().code(), ErrorCode::kNetwork);
    EXPECT_NE(body.error().message().find("404"), std::string::npos);
  }
  int closed_port;
  {
    OneShotServer server("");
    closed_port = server.port();
  }
  auto body = HttpFetcher(2000, 1024).Get("http://127.0.0.1:" + std::to_string(closed_port) + "/");
  ASSERT_FALSE(body.has_value());
  EXPECT_EQ(body.error().code(), ErrorCode::kNetwork);
}

TEST(HttpFetcherTest, SilentServerTimesOut) {
  // A listening socket nobody accepts on: the kernel completes the handshake, then silence.
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof addr;
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &length), 0);
  auto started = std::chrono::steady_clock::now();
  auto body = HttpFetcher(300, 1024).Get("http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/");
  auto elapsed = std::chrono::steady_clock::now() - started;
  ::close(listener);
  ASSERT_FALSE(body.has_value());
  EXPECT_EQ(body.error().code(), ErrorCode::kNetwork);
  EXPECT_LT(elapsed, std::chrono::seconds(3));
}

}  // namespace
}  // namespace sealpost::revocation::internal
