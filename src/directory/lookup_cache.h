// SPDX-License-Identifier: Apache-2.0
// LookupCache: directory answers remembered in the profile (SQLite), with a lifetime for
// found certificates and a shorter one for "nothing found". Failures are never cached.
#pragma once

#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "directory/certificate_source.h"
#include "pki/certificate.h"
#include "pki/certificate_cache.h"
#include "sqlite/statement.h"

struct sqlite3;

namespace sealpost::directory {

struct CacheLifetimes {
  std::time_t found_s = 86400;     // directory_cache_ttl_s
  std::time_t not_found_s = 3600;  // directory_negative_ttl_s
};

// Not thread-safe (one SQLite connection, statements kept prepared). Rows hold the DER
// certificates; decoding each costs more than the query (OpenSSL 3.0's key decoder), so a
// process parses a given certificate once.
class LookupCache final {
 public:
  // Opens or creates the cache database at `path` (0600). A damaged file → kMalformed.
  static Result<LookupCache> Open(const std::string& path);
  LookupCache(LookupCache&&) noexcept;
  LookupCache& operator=(LookupCache&&) noexcept;
  ~LookupCache();

  // The fresh answer for `address` from `source`, or nullopt (absent or expired).
  Result<std::optional<std::vector<pki::Certificate>>> Get(const std::string& source, const std::string& address,
                                                           std::time_t now, const CacheLifetimes& lifetimes);
  Status Put(const std::string& source, const std::string& address, const std::vector<pki::Certificate>& certs,
             std::time_t now);

 private:
  LookupCache(sqlite3* db, std::string path);

  sqlite3* db_;
  std::string path_;
  std::optional<sqlite::Statement> select_;  // prepared on first use, kept
  std::optional<sqlite::Statement> insert_;
  std::unique_ptr<pki::CertificateCache> parsed_;  // unique_ptr: the cache holds a mutex

};

// A source that answers from the cache when it can and asks `inner` for the rest.
class CachedSource final : public CertificateSource {
 public:
  CachedSource(std::unique_ptr<CertificateSource> inner, std::shared_ptr<LookupCache> cache, CacheLifetimes lifetimes,
               bool refresh)
      : inner_(std::move(inner)), cache_(std::move(cache)), lifetimes_(lifetimes), refresh_(refresh) {}
  std::string Name() const override { return inner_->Name(); }
  std::vector<Result<std::vector<Candidate>>> Find(const std::vector<std::string>& addresses) override;

 private:
  std::unique_ptr<CertificateSource> inner_;
  std::shared_ptr<LookupCache> cache_;
  CacheLifetimes lifetimes_;
  bool refresh_;
};

}  // namespace sealpost::directory
