// SPDX-License-Identifier: Apache-2.0
// The directory cache table and the caching source decorator.
#include "directory/lookup_cache.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include "sqlite/sqlite_handles.h"
#include "sqlite/statement.h"
#include "sqlite/transaction.h"

namespace sealpost::directory {
namespace {

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS lookups ("
    " source TEXT NOT NULL, address TEXT NOT NULL, fetched INTEGER NOT NULL, certs BLOB NOT NULL,"
    " PRIMARY KEY (source, address)) STRICT;";

}  // namespace

Result<LookupCache> LookupCache::Open(const std::string& path) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  sqlite::DbPtr db(raw);
  if (rc != SQLITE_OK) return sqlite::SqliteError(db.get(), rc, path, "opening the directory cache");
  ::chmod(path.c_str(), 0600);  // who the user writes to is private
  sqlite3_busy_timeout(db.get(), 5000);
  RETURN_IF_ERROR(sqlite::Exec(db.get(), "PRAGMA journal_mode=WAL;", path, "configuring"));
  RETURN_IF_ERROR(sqlite::Exec(db.get(), kSchema, path, "creating"));
  return LookupCache(db.release(), path);
}

LookupCache::LookupCache(LookupCache&& other) noexcept : db_(other.db_), path_(std::move(other.path_)) {
  other.db_ = nullptr;
}
LookupCache& LookupCache::operator=(LookupCache&& other) noexcept {
  std::swap(db_, other.db_);
  std::swap(path_, other.path_);
  return *this;
}
LookupCache::~LookupCache() {
  if (db_) sqlite3_close_v2(db_);
}

Result<std::optional<std::vector<pki::Certificate>>> LookupCache::Get(const std::string& source,
                                                                       const std::string& address, std::time_t now,
                                                                       const CacheLifetimes& lifetimes) {
  ASSIGN_OR_RETURN(sqlite::Statement stmt,
                   sqlite::Statement::Prepare(db_, "SELECT fetched, certs FROM lookups WHERE source = ?1 AND address = ?2", path_));
  RETURN_IF_ERROR(stmt.BindText(1, source));
  RETURN_IF_ERROR(stmt.BindText(2, address));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::optional<std::vector<pki::Certificate>>();
  auto fetched = stmt.Int(0);
  auto blob = stmt.Blob(1);
  if (!fetched || !blob) return std::optional<std::vector<pki::Certificate>>();  // damaged row: a miss
  std::time_t lifetime = blob->empty() ? lifetimes.not_found_s : lifetimes.found_s;
  if (now < *fetched || now - *fetched >= lifetime) return std::optional<std::vector<pki::Certificate>>();
  std::vector<pki::Certificate> certs;
  if (!blob->empty()) {
    auto parsed = pki::Certificate::ParseAll(*blob);
    if (!parsed) return std::optional<std::vector<pki::Certificate>>();
    certs = std::move(parsed).value();
  }
  return std::optional<std::vector<pki::Certificate>>(std::move(certs));
}

Status LookupCache::Put(const std::string& source, const std::string& address,
                        const std::vector<pki::Certificate>& certs, std::time_t now) {
  std::string pem;
  for (const auto& c : certs) pem += c.ToPem();
  ASSIGN_OR_RETURN(sqlite::Statement stmt,
                   sqlite::Statement::Prepare(db_,
                                              "INSERT OR REPLACE INTO lookups (source, address, fetched, certs) "
                                              "VALUES (?1, ?2, ?3, ?4)",
                                              path_));
  RETURN_IF_ERROR(stmt.BindText(1, source));
  RETURN_IF_ERROR(stmt.BindText(2, address));
  RETURN_IF_ERROR(stmt.BindInt(3, now));
  RETURN_IF_ERROR(stmt.BindBlob(4, pem));
  return stmt.Run();
}

std::vector<Result<std::vector<Candidate>>> CachedSource::Find(const std::vector<std::string>& addresses) {
  std::vector<std::optional<Result<std::vector<Candidate>>>> answers(addresses.size());
  std::vector<std::string> misses;
  std::vector<size_t> miss_index;
  std::time_t now = std::time(nullptr);
  for (size_t i = 0; i < addresses.size(); ++i) {
    if (!refresh_) {
      auto cached = cache_->Get(inner_->Name(), addresses[i], now, lifetimes_);
      if (cached && *cached) {
        std::vector<Candidate> candidates;
        for (auto& c : **cached) candidates.push_back({std::move(c), inner_->Name(), {}});
        answers[i] = Result<std::vector<Candidate>>(std::move(candidates));
        continue;
      }
    }
    misses.push_back(addresses[i]);
    miss_index.push_back(i);
  }
  if (!misses.empty()) {
    auto found = inner_->Find(misses);
    for (size_t k = 0; k < misses.size() && k < found.size(); ++k) {
      if (found[k]) {
        std::vector<pki::Certificate> certs;
        for (const auto& c : *found[k]) certs.push_back(c.certificate);
        (void)cache_->Put(inner_->Name(), misses[k], certs, now);  // a cache failure only costs a lookup
      }
      answers[miss_index[k]] = std::move(found[k]);
    }
  }
  std::vector<Result<std::vector<Candidate>>> out;
  for (auto& a : answers) {
    out.push_back(a ? std::move(*a) : Result<std::vector<Candidate>>(Error(ErrorCode::kInternal, "no answer")));
  }
  return out;
}

}  // namespace sealpost::directory
