// SPDX-License-Identifier: Apache-2.0
// LdapDirectory: address checks, filter expansion, and lookups on pooled connections.
#include "directory/ldap_directory.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <span>
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

// A lookup's result as the caller sees it: errors say which address they are about.
Result<Entries> ForAddress(Result<Entries> result, const std::string& address) {
  if (result) return result;
  return ForAddress(std::move(result).error(), address);
}

std::vector<Result<Entries>> Collect(std::vector<std::optional<Result<Entries>>>& slots) {
  std::vector<Result<Entries>> out;
  out.reserve(slots.size());
  for (auto& slot : slots) out.push_back(std::move(*slot));
  return out;
}

// Looks the addresses at `positions` up on `connection` (acquired when null) with their
// searches in flight together. When the connection fails midway, what it left unanswered
// is retried where that can help: on a fresh connection once if an idle one had been
// closed by the server, one search at a time if a message over the size cap broke it (so
// that only the address that drew it fails); anything else (timeouts, a refused
// connection) is the answer for every address left.
void SearchShare(LdapConnectionPool& pool, std::unique_ptr<LdapConnection>& connection,
                 const std::vector<std::string>& addresses, std::span<const std::size_t> positions,
                 std::vector<std::optional<Result<Entries>>>& slots, std::optional<Error>& open_failure) {
  const std::size_t in_flight = static_cast<std::size_t>(pool.config().searches_in_flight);
  auto filter_for = [&](std::size_t i) { return ExpandFilter(pool.config().search_filter, addresses[i]); };
  std::vector<std::size_t> todo(positions.begin(), positions.end());
  bool retried_closed = false;
  auto fail_all = [&](const std::vector<std::size_t>& which, const Error& error) {
    for (std::size_t i : which) slots[i] = ForAddress(error, addresses[i]);
  };
  while (!todo.empty()) {
    if (!connection) {
      auto acquired = retried_closed ? pool.OpenNew() : pool.Acquire();
      if (!acquired) {
        open_failure = acquired.error();
        return fail_all(todo, acquired.error());
      }
      connection = std::move(acquired).value();
    }
    std::vector<std::string> filters;
    filters.reserve(todo.size());
    for (std::size_t i : todo) filters.push_back(filter_for(i));
    const bool was_idle = connection->reused();
    LdapConnection::Batch batch = connection->SearchMany(filters, in_flight);
    const bool closed = connection->lost();
    if (!connection->reusable()) connection.reset();

    std::vector<std::size_t> unsent, unanswered;  // unanswered: sent, no answer
    for (std::size_t k = 0; k < todo.size(); ++k) {
      const std::size_t i = todo[k];
      if (auto& result = batch.results[k]) {
        slots[i] = ForAddress(std::move(*result), addresses[i]);
      } else {
        (batch.sent[k] ? unanswered : unsent).push_back(i);
      }
    }
    if (!batch.failure) return;
    if (was_idle && closed && !retried_closed) {
      retried_closed = true;
      todo = std::move(unanswered);
      todo.insert(todo.end(), unsent.begin(), unsent.end());
      continue;
    }
    if (batch.message_too_big) {
      for (std::size_t i : unanswered) {
        if (open_failure) {
          slots[i] = ForAddress(*open_failure, addresses[i]);
          continue;
        }
        slots[i] = ForAddress(Search(pool, connection, filter_for(i), open_failure), addresses[i]);
      }
      if (open_failure) return fail_all(unsent, *open_failure);
      todo = std::move(unsent);
      continue;
    }
    fail_all(unanswered, *batch.failure);
    return fail_all(unsent, *batch.failure);
  }
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
  return ForAddress(std::move(result), address);
}

std::vector<Result<Entries>> LdapDirectory::LookupMany(const std::vector<std::string>& addresses) {
  const std::size_t count = addresses.size();
  std::vector<std::optional<Result<Entries>>> slots(count);
  std::vector<std::size_t> to_search;  // positions of the addresses that may be sent
  for (std::size_t i = 0; i < count; ++i) {
    if (auto ok = CheckAddress(addresses[i]); !ok) {
      slots[i] = ForAddress(std::move(ok).error(), addresses[i]);
    } else {
      to_search.push_back(i);
    }
  }
  if (to_search.empty()) return Collect(slots);

  // Each connection keeps searches_in_flight searches outstanding, so it takes enough
  // connections to have every address in flight at once, up to pool_size; the addresses
  // are shared out evenly among them.
  const auto& config = pool_->config();
  const std::size_t in_flight = static_cast<std::size_t>(config.searches_in_flight);
  const std::size_t shares = std::min<std::size_t>((to_search.size() + in_flight - 1) / in_flight,
                                                   static_cast<std::size_t>(config.pool_size));
  std::atomic<std::size_t> next_share{0};
  std::mutex failure_mutex;
  std::optional<Error> unreachable;  // guarded by failure_mutex

  // Each worker owns one connection at a time: libldap handles are never shared between
  // threads, only handed back to the pool for the next caller.
  auto worker = [&] {
    std::unique_ptr<LdapConnection> connection;
    for (std::size_t share = next_share++; share < shares; share = next_share++) {
      const std::span<const std::size_t> mine(to_search.data() + share * to_search.size() / shares,
                                              to_search.data() + (share + 1) * to_search.size() / shares);
      std::optional<Error> known_unreachable;
      {
        std::lock_guard lock(failure_mutex);
        known_unreachable = unreachable;
      }
      if (known_unreachable) {
        for (std::size_t i : mine) slots[i] = ForAddress(*known_unreachable, addresses[i]);
        continue;
      }
      std::optional<Error> open_failure;
      SearchShare(*pool_, connection, addresses, mine, slots, open_failure);
      if (open_failure) {
        std::lock_guard lock(failure_mutex);
        if (!unreachable) unreachable = std::move(open_failure);
      }
    }
    pool_->Release(std::move(connection));
  };
  {
    std::vector<std::jthread> threads;
    for (std::size_t w = 1; w < shares; ++w) {
      try {
        threads.emplace_back(worker);
      } catch (const std::system_error&) {
        break;  // no more threads available: the ones we have (and this one) do the rest
      }
    }
    worker();
  }  // joins the threads
  return Collect(slots);
}

}  // namespace sealpost::directory
