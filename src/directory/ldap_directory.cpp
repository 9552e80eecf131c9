// SPDX-License-Identifier: Apache-2.0
// LdapDirectory: address checks, filter expansion, and lookups on pooled connections.
#include "directory/ldap_directory.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>

#include "directory/filter_escape.h"
#include "directory/internal/ldap_connection.h"
#include "directory/internal/ldap_connection_pool.h"
#include "directory/internal/ldap_endpoint.h"

namespace sealpost::directory {
namespace {

using internal::LdapConnection;
using internal::LdapConnectionPool;
using Entries = std::vector<LdapEntry>;

// RFC 5321 §4.5.3.1: 64 octets of local part, 255 of domain, and the @.
constexpr std::size_t kMaxAddressBytes = 64 + 1 + 255;

// The address as it may appear in a message: control and non-ASCII bytes as \xNN.
std::string Printable(const std::string& address) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : address) {
    if (c >= 0x20 && c < 0x7f) {
      out.push_back(static_cast<char>(c));
    } else {
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0f]);
    }
  }
  return out;
}

Error ForAddress(Error error, const std::string& address) {
  return std::move(error).WithContext("looking up " + Printable(address) + " in the directory");
}

Status CheckAddress(const std::string& address) {
  if (address.empty()) return Error(ErrorCode::kInvalidArgument, "cannot look up an empty address");
  if (address.size() > kMaxAddressBytes) {
    return Error(ErrorCode::kInvalidArgument,
                 "the address is longer than " + std::to_string(kMaxAddressBytes) + " bytes (RFC 5321 §4.5.3.1)");
  }
  // No mail address holds a control byte (RFC 5322 §3.2.4 excludes them even when quoted),
  // and some servers cut an assertion value at an escaped NUL (slapd does for mail), so
  // such an address would match a different person. Catalogue L3: rejected, never sent.
  for (unsigned char c : address) {
    if (c < 0x20 || c == 0x7f) {
      return Error(ErrorCode::kInvalidArgument, "the address contains a control character; it is not a mail address");
    }
  }
  return Ok();
}

// One search on `connection` (acquired from the pool when null). A connection that had
// been idle may have been closed by the server meanwhile (AD drops idle ones after 15
// minutes), so losing it gets one retry on a fresh connection; a timeout does not. Sets
// `open_failure` when no connection could be opened: that error is not about the address.
Result<Entries> Search(LdapConnectionPool& pool, std::unique_ptr<LdapConnection>& connection, const std::string& filter,
                       std::optional<Error>& open_failure) {
  if (!connection) {
    auto acquired = pool.Acquire();
    if (!acquired) {
      open_failure = acquired.error();
      return std::move(acquired).error();
    }
    connection = std::move(acquired).value();
  }
  const bool was_idle = connection->reused();
  auto result = connection->Search(filter);
  if (!result && was_idle && connection->lost()) {
    connection.reset();
    auto fresh = pool.OpenNew();
    if (!fresh) {
      open_failure = fresh.error();
      return std::move(fresh).error();
    }
    connection = std::move(fresh).value();
    result = connection->Search(filter);
  }
  if (!connection->reusable()) connection.reset();
  return result;
}

}  // namespace

Result<LdapDirectory> LdapDirectory::Create(LdapConfig config) {
  ASSIGN_OR_RETURN(internal::LdapEndpoint endpoint, internal::CheckLdapConfig(config));
  return LdapDirectory(std::make_unique<LdapConnectionPool>(std::move(config), std::move(endpoint)));
}

LdapDirectory::LdapDirectory(std::unique_ptr<LdapConnectionPool> pool) : pool_(std::move(pool)) {}
LdapDirectory::LdapDirectory(LdapDirectory&& other) noexcept = default;
LdapDirectory& LdapDirectory::operator=(LdapDirectory&& other) noexcept = default;
LdapDirectory::~LdapDirectory() = default;

std::string LdapDirectory::FilterFor(const std::string& address) const {
  return ExpandFilter(pool_->config().search_filter, address);
}

Result<Entries> LdapDirectory::Lookup(const std::string& address) {
  if (auto ok = CheckAddress(address); !ok) return ForAddress(std::move(ok).error(), address);
  std::unique_ptr<LdapConnection> connection;
  std::optional<Error> open_failure;
  auto result = Search(*pool_, connection, FilterFor(address), open_failure);
  pool_->Release(std::move(connection));
  if (!result) return ForAddress(std::move(result).error(), address);
  return result;
}

std::vector<Result<Entries>> LdapDirectory::LookupMany(const std::vector<std::string>& addresses) {
  const std::size_t count = addresses.size();
  std::vector<std::optional<Result<Entries>>> slots(count);
  std::atomic<std::size_t> next{0};
  std::mutex failure_mutex;
  std::optional<Error> unreachable;  // guarded by failure_mutex

  // Each worker owns one connection at a time: libldap handles are never shared between
  // threads, only handed back to the pool for the next caller.
  auto worker = [&] {
    std::unique_ptr<LdapConnection> connection;
    for (std::size_t i = next++; i < count; i = next++) {
      const std::string& address = addresses[i];
      {
        std::lock_guard lock(failure_mutex);
        if (unreachable) {
          slots[i] = ForAddress(*unreachable, address);
          continue;
        }
      }
      if (auto ok = CheckAddress(address); !ok) {
        slots[i] = ForAddress(std::move(ok).error(), address);
        continue;
      }
      std::optional<Error> open_failure;
      auto result = Search(*pool_, connection, FilterFor(address), open_failure);
      if (open_failure) {
        std::lock_guard lock(failure_mutex);
        if (!unreachable) unreachable = std::move(open_failure);
      }
      slots[i] = result ? std::move(result) : ForAddress(std::move(result).error(), address);
    }
    pool_->Release(std::move(connection));
  };

  const std::size_t workers = std::min<std::size_t>(count, static_cast<std::size_t>(pool_->config().pool_size));
  {
    std::vector<std::jthread> threads;
    for (std::size_t w = 1; w < workers; ++w) {
      try {
        threads.emplace_back(worker);
      } catch (const std::system_error&) {
        break;  // no more threads available: the ones we have (and this one) do the rest
      }
    }
    worker();
  }  // joins the threads

  std::vector<Result<Entries>> out;
  out.reserve(count);
  for (auto& slot : slots) out.push_back(std::move(*slot));
  return out;
}

}  // namespace sealpost::directory
