// SPDX-License-Identifier: Apache-2.0
// libcurl transfers with a size cap enforced while the body streams in, not after.
#include "revocation/internal/http_fetcher.h"

#include <cctype>

#include "revocation/internal/curl_handles.h"

namespace sealpost::revocation::internal {
namespace {

constexpr long kMaxRedirects = 3;

struct Sink {
  std::string body;
  std::size_t max_bytes = 0;
  bool over_limit = false;
};

// curl write callback: a short count aborts the transfer with CURLE_WRITE_ERROR. It must
// never throw through curl's C frames, hence the catch.
size_t WriteBody(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  size_t n = size * count;
  if (n > sink->max_bytes - sink->body.size()) {
    sink->over_limit = true;
    return 0;
  }
  try {
    sink->body.append(data, n);
  } catch (...) {
    return 0;
  }
  return n;
}

Status AppendHeader(CurlSlistPtr& list, const std::string& header) {
  curl_slist* head = Curl().curl_slist_append(list.get(), header.c_str());
  if (!head) return Error(ErrorCode::kInternal, "out of memory building an HTTP request");
  (void)list.release();  // `head` is the same list, now one longer
  list.reset(head);
  return Ok();
}

}  // namespace

bool IsHttpUrl(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (url.size() <= kScheme.size()) return false;
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(url[i])) != kScheme[i]) return false;
  }
  for (unsigned char c : url) {
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return url[kScheme.size()] != '/';
}

Result<std::string> HttpFetcher::Get(const std::string& url) const { return Perform(url, nullptr, {}); }

Result<std::string> HttpFetcher::Post(const std::string& url, std::string_view content_type,
                                      std::string_view body) const {
  std::string type(content_type);
  return Perform(url, &type, body);
}

Result<std::string> HttpFetcher::Perform(const std::string& url, const std::string* content_type,
                                         std::string_view body) const {
  if (!IsHttpUrl(url)) return Error(ErrorCode::kInvalidArgument, "not an http:// URL: " + url);
  if (auto api = LoadCurlApi(); !api) return std::move(api).error();
  CurlPtr curl(Curl().curl_easy_init());
  if (!curl) return Error(ErrorCode::kInternal, "cannot create a libcurl handle");

  Sink sink;
  sink.max_bytes = max_bytes_;
  char error_buffer[CURL_ERROR_SIZE] = {};
  CurlSlistPtr headers;
  CURL* c = curl.get();
  Curl().curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  // Plain HTTP only, also after redirects: a redirect to file:// or another scheme must
  // not turn a CRL fetch into a local file read.
  Curl().curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http");
  Curl().curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http");
  Curl().curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  Curl().curl_easy_setopt(c, CURLOPT_MAXREDIRS, kMaxRedirects);
  Curl().curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM for timeouts: we may run on any thread
  Curl().curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms_);
  Curl().curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms_);
  // Rejects early when Content-Length announces too much; the callback catches the rest.
  Curl().curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(max_bytes_));
  Curl().curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, WriteBody);
  Curl().curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  Curl().curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_buffer);
  Curl().curl_easy_setopt(c, CURLOPT_USERAGENT, "sealpost");
  if (content_type) {
    RETURN_IF_ERROR(AppendHeader(headers, "Content-Type: " + *content_type));
    // Without an empty Expect, curl may wait for "100 Continue" that HTTP/1.0 servers never send.
    RETURN_IF_ERROR(AppendHeader(headers, "Expect:"));
    Curl().curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    Curl().curl_easy_setopt(c, CURLOPT_POST, 1L);
    Curl().curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    Curl().curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }

  CURLcode rc = Curl().curl_easy_perform(c);
  if (sink.over_limit || rc == CURLE_FILESIZE_EXCEEDED) {
    return Error(ErrorCode::kLimit, url + ": response larger than " + std::to_string(max_bytes_) + " bytes");
  }
  if (rc != CURLE_OK) {
    std::string why = error_buffer[0] ? error_buffer : Curl().curl_easy_strerror(rc);
    return Error(ErrorCode::kNetwork, url + ": " + why);
  }
  long status = 0;
  Curl().curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) return Error(ErrorCode::kNetwork, url + ": HTTP status " + std::to_string(status));
  return std::move(sink.body);
}

}  // namespace sealpost::revocation::internal
