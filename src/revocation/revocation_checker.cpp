// SPDX-License-Identifier: Apache-2.0
// The revocation walk: cache, OCSP, CRL, and "unknown" with every reason when none verifies.
#include "revocation/revocation_checker.h"

#include <optional>
#include <string_view>
#include <utility>

#include "revocation/internal/certificate_urls.h"
#include "revocation/internal/crl_check.h"
#include "revocation/internal/http_fetcher.h"
#include "revocation/internal/ocsp_query.h"
#include "revocation/internal/response_cache.h"

namespace sealpost::revocation {
namespace {

using internal::ResponseCache;
using internal::VerifiedStatus;

constexpr std::string_view kOcspRequestType = "application/ocsp-request";  // RFC 6960 App. C.1

// Collects why no answer was usable, and whether every attempt failed to reach its server.
class Attempts final {
 public:
  void Note(std::string reason) { reasons_.push_back(std::move(reason)); }
  void Fetched() { ++fetches_; }
  void Unreachable(const Error& error) {
    ++unreachable_;
    Note("responder unreachable: " + error.message());
  }
  void FetchFailed(const Error& error) {
    if (error.code() == ErrorCode::kNetwork) return Unreachable(error);
    Note("response refused: " + error.message());
  }
  bool all_unreachable() const { return fetches_ > 0 && unreachable_ == fetches_; }
  std::string Joined() const {
    std::string out;
    for (const auto& reason : reasons_) out += (out.empty() ? "" : "; ") + reason;
    return out;
  }

 private:
  std::vector<std::string> reasons_;
  int fetches_ = 0;
  int unreachable_ = 0;
};

// Keeps http:// URLs and notes the others: LDAP and HTTPS points are not fetched.
std::vector<std::string> HttpOnly(std::vector<std::string> urls, std::string_view what, Attempts& attempts) {
  std::vector<std::string> out;
  for (auto& url : urls) {
    if (internal::IsHttpUrl(url)) {
      out.push_back(std::move(url));
    } else {
      attempts.Note("skipped " + std::string(what) + " URL that is not http://: " + url);
    }
  }
  return out;
}

std::string CrlCacheKey(const pki::Certificate& issuer, const std::string& url) {
  return ResponseCache::Key("crl", issuer.ToDer() + '\n' + url);
}

RevocationResult Answered(const VerifiedStatus& status, std::string source, const std::string& who,
                          const pki::Certificate& cert) {
  RevocationResult result;
  result.state = status.state;
  result.source = std::move(source);
  result.subject = cert.Subject();
  result.revoked_at = status.revoked_at;
  result.reason = status.reason;
  std::string window = "thisUpdate " + pki::FormatRfc3339(status.this_update) +
                       (status.next_update ? ", nextUpdate " + pki::FormatRfc3339(status.next_update) : "");
  if (status.state == RevocationState::kRevoked) {
    result.detail = "revoked " + pki::FormatRfc3339(status.revoked_at) +
                    (status.reason.empty() ? "" : " (" + status.reason + ")") + " according to " + who + " (" + window +
                    ")";
  } else {
    result.detail = "not revoked according to " + who + " (" + window + ")";
  }
  return result;
}

RevocationResult Unknown(const pki::Certificate& cert, const Attempts& attempts) {
  RevocationResult result;
  result.state = RevocationState::kUnknown;
  result.subject = cert.Subject();
  result.detail = attempts.Joined();
  result.unreachable = attempts.all_unreachable();
  return result;
}

}  // namespace

RevocationResult RevocationChecker::Check(const pki::Certificate& cert, const pki::Certificate& issuer) const {
  const std::time_t at = options_.at != 0 ? options_.at : std::time(nullptr);
  Attempts attempts;
  std::vector<std::string> ocsp_urls = HttpOnly(internal::OcspResponderUrls(cert), "OCSP", attempts);
  std::vector<std::string> crl_urls = HttpOnly(internal::CrlDistributionUrls(cert), "CRL", attempts);
  if (ocsp_urls.empty() && crl_urls.empty()) {
    attempts.Note("the certificate names no http:// OCSP responder or CRL distribution point");
    return Unknown(cert, attempts);
  }
  ResponseCache cache(options_.cache_dir, options_.max_response_bytes);
  internal::HttpFetcher fetcher(options_.timeout_ms, options_.max_response_bytes);

  std::optional<internal::OcspQuery> query;
  std::string ocsp_key;
  if (!ocsp_urls.empty()) {
    auto created = internal::OcspQuery::Create(cert, issuer);
    if (created) {
      query.emplace(std::move(created).value());
      ocsp_key = ResponseCache::Key("ocsp", query->CertIdDer());
    } else {
      attempts.Note(created.error().message());
    }
  }

  // Cached answers first, so that a hit never touches the network. They are verified
  // exactly like fresh ones (minus the nonce), so a tampered or stale file is only a miss.
  if (query) {
    if (auto bytes = cache.Load(ocsp_key)) {
      auto status = query->Verify(*bytes, issuer, at, /*check_nonce=*/false);
      if (status && status->state != RevocationState::kUnknown) {
        return Answered(*status, "cache", "a cached OCSP response", cert);
      }
      if (!status) attempts.Note("cached OCSP response ignored: " + status.error().message());
    }
  }
  for (const auto& url : crl_urls) {
    if (auto bytes = cache.Load(CrlCacheKey(issuer, url))) {
      auto status = internal::CheckCrl(*bytes, cert, issuer, url, at);
      if (status) return Answered(*status, "cache", "a cached CRL from " + url, cert);
      attempts.Note("cached CRL from " + url + " ignored: " + status.error().message());
    }
  }

  if (query) {
    auto request = query->RequestDer();
    if (!request) attempts.Note(request.error().message());
    for (const auto& url : ocsp_urls) {
      if (!request) break;
      attempts.Fetched();
      auto body = fetcher.Post(url, kOcspRequestType, *request);
      if (!body) {
        attempts.FetchFailed(body.error());
        continue;
      }
      auto status = query->Verify(*body, issuer, at, /*check_nonce=*/true);
      if (!status) {
        attempts.Note("OCSP response from " + url + " rejected: " + status.error().message());
        continue;
      }
      if (status->state == RevocationState::kUnknown) {
        attempts.Note("OCSP responder " + url + " does not know the certificate");
        continue;
      }
      (void)cache.Store(ocsp_key, *body);  // a cache that cannot write only costs a fetch
      return Answered(*status, "ocsp", "OCSP responder " + url, cert);
    }
  }

  for (const auto& url : crl_urls) {
    attempts.Fetched();
    auto body = fetcher.Get(url);
    if (!body) {
      attempts.FetchFailed(body.error());
      continue;
    }
    auto status = internal::CheckCrl(*body, cert, issuer, url, at);
    if (!status) {
      attempts.Note("CRL from " + url + " rejected: " + status.error().message());
      continue;
    }
    (void)cache.Store(CrlCacheKey(issuer, url), *body);
    return Answered(*status, "crl", "the CRL from " + url, cert);
  }
  return Unknown(cert, attempts);
}

RevocationResult RevocationChecker::CheckChain(const std::vector<pki::Certificate>& chain) const {
  if (chain.size() < 2) {
    RevocationResult result;
    if (!chain.empty()) result.subject = chain.front().Subject();
    result.detail = "no issuer in the chain to ask about the certificate's revocation";
    return result;
  }
  std::optional<RevocationResult> worst;
  for (size_t i = 0; i + 1 < chain.size(); ++i) {
    RevocationResult result = Check(chain[i], chain[i + 1]);
    if (!worst || Severity(result.state) > Severity(worst->state)) worst = std::move(result);
    if (worst->state == RevocationState::kRevoked) break;
  }
  return std::move(*worst);
}

}  // namespace sealpost::revocation
