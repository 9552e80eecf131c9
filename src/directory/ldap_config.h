// SPDX-License-Identifier: Apache-2.0
// LdapConfig: where the recipient directory is, how to talk to it, and how much to accept.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/secret_bytes.h"

namespace sealpost::directory {

// The policy's ldap_* keys as a plain value, plus the caps that bound every lookup.
// Move-only (it holds the bind password). LdapDirectory::Create validates it.
struct LdapConfig {
  // ldap://host[:port] or ldaps://host[:port] (RFC 4516, without DN, attributes or filter).
  std::string server_address;
  // Upgrade an ldap:// connection with StartTLS (RFC 4511 §4.14); never with ldaps://.
  bool starttls = false;
  std::string base_dn;
  // false = simple bind as bind_dn with bind_password, allowed only over TLS (RFC 4513 §5.1.2).
  bool access_anonymously = true;
  std::string bind_dn;
  SecretBytes bind_password;
  // PEM bundle of the CAs that may issue the server's certificate; empty = the system store.
  // The server certificate and its name are always verified.
  std::string tls_ca_file;
  // RFC 4515 filter; every %s becomes the escaped address (see filter_escape.h).
  std::string search_filter = "(|(mail=%s)(proxyAddresses=smtp:%s))";
  // Budget for connecting and for each operation (StartTLS, bind, one whole search).
  std::int64_t timeout_ms = 5000;

  // --- caps; hitting one fails the lookup with kLimit (never a partial answer) ---
  // (docs/limits-keys-directory.md lists each with its test.)
  // A person has one or a few entries; 100 leaves room for shared mailboxes, while a
  // filter matching a whole subtree (catalogue L10) stops there.
  int max_entries = 100;                                   // entries per address
  // A certificate is 1-2 KiB and a userSMIMECertificate bundle with its chain rarely 20 KiB;
  // 1 MiB still takes an odd long chain but refuses the 10 MB value of catalogue L9.
  std::size_t max_attribute_bytes = std::size_t{1} << 20;  // per certificate value
  std::size_t max_total_bytes = std::size_t{8} << 20;      // all values of one lookup
  // Catalogue L9: an entry publishing hundreds of certificates would make selection (a
  // chain validation, maybe a revocation fetch, each) slow; past 16 the rest are skipped and
  // the entry's problems say so (this cap skips, it does not fail the lookup).
  std::size_t max_certificates_per_entry = 16;
  int pool_size = 8;  // connections for LookupMany
  // Searches sent on one connection before their answers come (RFC 4511 §4.1.1), so that
  // many lookups cost a few round trips. slapd queues at most 100 pending operations on
  // an anonymous connection by default (conn_max_pending) and closes one that sends more;
  // 50 stays well below and lets 100 recipients share two connections (two TLS handshakes).
  int searches_in_flight = 50;
};

}  // namespace sealpost::directory
