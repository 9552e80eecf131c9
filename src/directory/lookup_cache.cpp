// SPDX-License-Identifier: Apache-2.0
// The directory cache table and the caching source decorator.
#include "directory/lookup_cache.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <cstdint>
#include <string_view>

#include "sqlite/sqlite_handles.h"
#include "sqlite/statement.h"
#include "sqlite/transaction.h"

namespace sealpost::directory {
namespace {

// certs: each certificate's DER preceded by its length (4 bytes, big-endian); empty for
// "nothing found". (Rows of the earlier PEM form read as damaged, hence as misses.)
constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS lookups ("
    " source TEXT NOT NULL, address TEXT NOT NULL, fetched INTEGER NOT NULL, certs BLOB NOT NULL,"
    " PRIMARY KEY (source, address)) STRICT;";

// Certificates parsed per process; a directory user writes to a few hundred people.
constexpr std::size_t kParsedCertificates = 4096;

std::string Frame(const std::vector<pki::Certificate>& certs) {
  std::string out;
  for (const auto& cert : certs) {
    const std::string der = cert.ToDer();
    const auto size = static_cast<std::uint32_t>(der.size());
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((size >> shift) & 0xff));
    out += der;
  }
  return out;
}

// The certificates of a framed blob; nullopt when it is not one (damaged, or a PEM row).
std::optional<std::vector<pki::Certificate>> Unframe(std::string_view blob, pki::CertificateCache& parsed) {
  std::vector<pki::Certificate> certs;
  while (!blob.empty()) {
    if (blob.size() < 4) return std::nullopt;
    std::uint32_t size = 0;
    for (int i = 0; i < 4; ++i) size = (size << 8) | static_cast<unsigned char>(blob[static_cast<std::size_t>(i)]);
    blob.remove_prefix(4);
    if (size == 0 || size > blob.size()) return std::nullopt;
    auto cert = parsed.Get(blob.substr(0, size));
    if (!cert) return std::nullopt;
    certs.push_back(std::move(cert).value());
    blob.remove_prefix(size);
  }
  return certs;
}

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

LookupCache::LookupCache(sqlite3* db, std::string path)
    : db_(db), path_(std::move(path)), parsed_(std::make_unique<pki::CertificateCache>(kParsedCertificates)) {}

LookupCache::LookupCache(LookupCache&& other) noexcept
    : db_(other.db_),
      path_(std::move(other.path_)),
      select_(std::move(other.select_)),
      insert_(std::move(other.insert_)),
      parsed_(std::move(other.parsed_)) {
  other.db_ = nullptr;
}
LookupCache& LookupCache::operator=(LookupCache&& other) noexcept {
  std::swap(db_, other.db_);
  std::swap(path_, other.path_);
  std::swap(select_, other.select_);
  std::swap(insert_, other.insert_);
  std::swap(parsed_, other.parsed_);
  return *this;
}
LookupCache::~LookupCache() {
  select_.reset();  // statements are finalized before their connection closes
  insert_.reset();
  if (db_) sqlite3_close_v2(db_);
}

Result<std::optional<std::vector<pki::Certificate>>> LookupCache::Get(const std::string& source,
                                                                       const std::string& address, std::time_t now,
                                                                       const CacheLifetimes& lifetimes) {
  using Answer = std::optional<std::vector<pki::Certificate>>;
  if (!select_) {
    ASSIGN_OR_RETURN(select_, sqlite::Statement::Prepare(
                                  db_, "SELECT fetched, certs FROM lookups WHERE source = ?1 AND address = ?2", path_));
  }
  sqlite::Statement& stmt = *select_;
  stmt.Reset();
  RETURN_IF_ERROR(stmt.BindText(1, source));
  RETURN_IF_ERROR(stmt.BindText(2, address));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return Answer();
  auto fetched = stmt.Int(0);
  auto blob = stmt.Blob(1);
  stmt.Reset();  // done with the row: release its read transaction
  if (!fetched || !blob) return Answer();  // damaged row: a miss
  const std::time_t lifetime = blob->empty() ? lifetimes.not_found_s : lifetimes.found_s;
  if (now < *fetched || now - *fetched >= lifetime) return Answer();  // expired, or the clock went back
  return Unframe(*blob, *parsed_);
}

Status LookupCache::Put(const std::string& source, const std::string& address,
                        const std::vector<pki::Certificate>& certs, std::time_t now) {
  if (!insert_) {
    ASSIGN_OR_RETURN(insert_, sqlite::Statement::Prepare(db_,
                                                         "INSERT OR REPLACE INTO lookups (source, address, fetched, "
                                                         "certs) VALUES (?1, ?2, ?3, ?4)",
                                                         path_));
  }
  sqlite::Statement& stmt = *insert_;
  stmt.Reset();
  RETURN_IF_ERROR(stmt.BindText(1, source));
  RETURN_IF_ERROR(stmt.BindText(2, address));
  RETURN_IF_ERROR(stmt.BindInt(3, now));
  RETURN_IF_ERROR(stmt.BindBlob(4, Frame(certs)));
  auto done = stmt.Run();
  stmt.Reset();
  return done;
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
