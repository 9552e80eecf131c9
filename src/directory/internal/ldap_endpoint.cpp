// SPDX-License-Identifier: Apache-2.0
// Validation of an LdapConfig before any connection is attempted.
#include "directory/internal/ldap_endpoint.h"

#include <openssl/x509.h>

#include <cstdlib>
#include <filesystem>
#include <string_view>

#include "directory/filter_escape.h"
#include "directory/internal/ldap_handles.h"

namespace sealpost::directory::internal {
namespace {

constexpr std::int64_t kMaxTimeoutMs = 10 * 60 * 1000;
constexpr int kMaxPoolSize = 64;
constexpr int kMaxSearchesInFlight = 1000;  // slapd's conn_max_pending_auth default

Error Invalid(std::string message) { return Error(ErrorCode::kInvalidArgument, std::move(message)); }

bool HasControlOrSpace(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return true;
  }
  return false;
}

Status CheckDn(const std::string& dn, std::string_view key) {
  if (dn.find('\0') != std::string::npos) return Invalid(std::string(key) + " contains a NUL byte");
  LDAPDN parsed = nullptr;
  int rc = Ldap().ldap_str2dn(dn.c_str(), &parsed, LDAP_DN_FORMAT_LDAPV3);
  if (parsed) Ldap().ldap_dnfree(parsed);
  if (rc != LDAP_SUCCESS) return Invalid(std::string(key) + " \"" + dn + "\" is not a valid DN (RFC 4514)");
  return Ok();
}

Result<LdapEndpoint> ParseUrl(const std::string& url) {
  if (url.empty()) return Invalid("ldap_server_address is empty; set it to ldap://host or ldaps://host");
  // ldap_initialize takes a space-separated list; we want exactly one server.
  if (HasControlOrSpace(url)) return Invalid("ldap_server_address \"" + url + "\" must be one URL without spaces");
  LDAPURLDesc* raw = nullptr;
  int rc = Ldap().ldap_url_parse(url.c_str(), &raw);
  LdapUrlPtr parsed(raw);
  if (rc != LDAP_URL_SUCCESS || !parsed) {
    return Invalid("ldap_server_address \"" + url + "\" is not an ldap:// or ldaps:// URL (RFC 4516)");
  }
  std::string_view scheme = parsed->lud_scheme ? parsed->lud_scheme : "";
  if (scheme != "ldap" && scheme != "ldaps") {
    return Invalid("ldap_server_address \"" + url + "\" must start with ldap:// or ldaps://");
  }
  if (!parsed->lud_host || !*parsed->lud_host) {
    return Invalid("ldap_server_address \"" + url + "\" names no host");
  }
  // The base DN and filter come from their own keys; a URL that also carries them would be
  // silently ignored by libldap, so say so instead.
  bool has_dn = parsed->lud_dn && *parsed->lud_dn;
  if (has_dn || parsed->lud_attrs || parsed->lud_filter || parsed->lud_exts) {
    return Invalid("ldap_server_address \"" + url +
                   "\" must be only scheme://host[:port]; use ldap_base_dn and ldap_search_filter for the rest");
  }
  LdapEndpoint endpoint;
  endpoint.url = url;
  endpoint.ldaps = scheme == "ldaps";
  return endpoint;
}

// The system store as OpenSSL knows it ($SSL_CERT_FILE, else the distribution's bundle).
// Chosen here rather than left to libldap so that /etc/ldap/ldap.conf or ~/.ldaprc cannot
// widen or narrow what we trust.
std::string SystemCaFile() {
  if (const char* env = std::getenv(X509_get_default_cert_file_env()); env && *env) return env;
  for (const char* candidate : {X509_get_default_cert_file(), "/etc/ssl/certs/ca-certificates.crt",
                                "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem"}) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(candidate, ec)) return candidate;
  }
  return {};
}

}  // namespace

Result<LdapEndpoint> CheckLdapConfig(const LdapConfig& config) {
  if (auto api = LoadLdapApi(); !api) return std::move(api).error();
  ASSIGN_OR_RETURN(LdapEndpoint endpoint, ParseUrl(config.server_address));
  if (config.starttls && endpoint.ldaps) {
    return Invalid("ldap_starttls cannot be combined with " + config.server_address +
                   " (ldaps:// is TLS already); use ldap:// with StartTLS or turn ldap_starttls off");
  }
  endpoint.tls = endpoint.ldaps || config.starttls;

  if (!config.base_dn.empty()) RETURN_IF_ERROR(CheckDn(config.base_dn, "ldap_base_dn"));
  RETURN_IF_ERROR(CheckFilterTemplate(config.search_filter));

  if (!config.access_anonymously) {
    if (config.bind_dn.empty()) {
      return Invalid("ldap_access_anonymously is off but ldap_bind_dn is empty");
    }
    RETURN_IF_ERROR(CheckDn(config.bind_dn, "ldap_bind_dn"));
    // RFC 4513 §5.1.2: a simple bind with a DN and no password is an "unauthenticated"
    // bind that servers may answer with success; it would look like a working login.
    if (config.bind_password.empty()) {
      return Error(ErrorCode::kPolicy, "refusing to bind to " + config.server_address + " as " + config.bind_dn +
                                           " with an empty password (an unauthenticated bind, RFC 4513 §5.1.2)");
    }
    // RFC 4513 §5.1.2 again: simple-bind passwords travel in clear unless TLS is in place.
    if (!endpoint.tls) {
      return Error(ErrorCode::kPolicy, "refusing to send the bind password to " + config.server_address +
                                           " without TLS; use ldaps:// or turn on ldap_starttls");
    }
  }

  if (config.timeout_ms <= 0 || config.timeout_ms > kMaxTimeoutMs) {
    return Invalid("ldap_timeout_ms must be between 1 and " + std::to_string(kMaxTimeoutMs) + ", not " +
                   std::to_string(config.timeout_ms));
  }
  if (config.max_entries < 1) return Invalid("the LDAP entry limit must be at least 1");
  if (config.max_attribute_bytes < 1 || config.max_total_bytes < config.max_attribute_bytes) {
    return Invalid("the LDAP byte limits must be positive, the total at least the per-value limit");
  }
  if (config.pool_size < 1 || config.pool_size > kMaxPoolSize) {
    return Invalid("the LDAP pool size must be between 1 and " + std::to_string(kMaxPoolSize));
  }
  if (config.searches_in_flight < 1 || config.searches_in_flight > kMaxSearchesInFlight) {
    return Invalid("the LDAP searches in flight per connection must be between 1 and " +
                   std::to_string(kMaxSearchesInFlight));
  }

  if (endpoint.tls) {
    if (!config.tls_ca_file.empty()) {
      std::error_code ec;
      if (!std::filesystem::is_regular_file(config.tls_ca_file, ec)) {
        return Error(ErrorCode::kNotFound, "ldap_tls_ca_file " + config.tls_ca_file + " does not exist");
      }
      endpoint.ca_file = config.tls_ca_file;
    } else {
      endpoint.ca_file = SystemCaFile();
      if (endpoint.ca_file.empty()) {
        return Error(ErrorCode::kNotFound,
                     "no system CA bundle found to verify " + config.server_address + "; set ldap_tls_ca_file");
      }
    }
  }
  return endpoint;
}

}  // namespace sealpost::directory::internal
