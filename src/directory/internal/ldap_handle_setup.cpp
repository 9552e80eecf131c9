// SPDX-License-Identifier: Apache-2.0
// libldap handle creation: options, TLS context, connection callbacks and message cap.
#include "directory/internal/ldap_handle_setup.h"

#include <mutex>

#include "directory/internal/ldap_errors.h"

namespace sealpost::directory::internal {
namespace {

// Room for the DN, attribute names and BER framing around max_total_bytes of values.
constexpr ber_len_t kMessageOverhead = 64 * 1024;

// libldap's one-time global initialisation and its TLS library set-up (GnuTLS on Debian)
// run on first use and are not safe to race; handle creation is cheap, so serialise it.
std::mutex& SetupMutex() {
  static std::mutex mutex;
  return mutex;
}

Status SetOption(LDAP* ld, int option, const void* value, const char* name, const LdapEndpoint& endpoint) {
  if (Ldap().ldap_set_option(ld, option, value) == LDAP_OPT_SUCCESS) return Ok();
  return Error(ErrorCode::kInternal, std::string("libldap refused option ") + name + " for " + endpoint.url,
               DiagnosticMessage(ld));
}

}  // namespace

timeval ToTimeval(std::int64_t ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms % 1000) * 1000);
  return tv;
}

Result<LdapPtr> NewLdapHandle(const LdapConfig& config, const LdapEndpoint& endpoint, LdapSocketWatchdog& watchdog,
                              LdapTlsCheck check) {
  if (auto api = LoadLdapApi(); !api) return std::move(api).error();
  std::lock_guard lock(SetupMutex());
  LDAP* raw = nullptr;
  int rc = Ldap().ldap_initialize(&raw, endpoint.url.c_str());
  LdapPtr ld(raw);
  if (rc != LDAP_SUCCESS || !ld) return LdapError(nullptr, rc, LdapStep::kConnect, endpoint);

  const int version = LDAP_VERSION3;
  const timeval timeout = ToTimeval(config.timeout_ms);
  const int size_limit = config.max_entries;
  const int time_limit = static_cast<int>((config.timeout_ms + 999) / 1000);
  const int deref = LDAP_DEREF_NEVER;
  RETURN_IF_ERROR(SetOption(ld.get(), LDAP_OPT_PROTOCOL_VERSION, &version, "PROTOCOL_VERSION", endpoint));
  RETURN_IF_ERROR(SetOption(ld.get(), LDAP_OPT_NETWORK_TIMEOUT, &timeout, "NETWORK_TIMEOUT", endpoint));
  RETURN_IF_ERROR(SetOption(ld.get(), LDAP_OPT_TIMEOUT, &timeout, "TIMEOUT", endpoint));
  // Catalogue L11: a referral could send the bind or the query to a server of the
  // attacker's choosing; we report it instead.
  RETURN_IF_ERROR(SetOption(ld.get(), LDAP_OPT_REFERRALS, LDAP_OPT_OFF, "REFERRALS", endpoint));
  RETURN_IF_ERROR(SetOption(ld.get(), LDAP_OPT_SIZELIMIT, &size_limit, "SIZELIMIT", endpoint));
  RETURN_IF_ERROR(SetOption(ld.get(), LDAP_OPT_TIMELIMIT, &time_limit, "TIMELIMIT", endpoint));
  RETURN_IF_ERROR(SetOption(ld.get(), LDAP_OPT_DEREF, &deref, "DEREF", endpoint));
  RETURN_IF_ERROR(SetOption(ld.get(), LDAP_OPT_CONNECT_CB, watchdog.callbacks(), "CONNECT_CB", endpoint));

  if (endpoint.tls) {
    // DEMAND: a missing or unverifiable certificate ends the handshake, and libldap then
    // checks the host name against the SANs (RFC 4513 §3.1.3, RFC 6125); catalogue L7.
    const int require = check == LdapTlsCheck::kVerify ? LDAP_OPT_X_TLS_DEMAND : LDAP_OPT_X_TLS_ALLOW;
    const int min_protocol = LDAP_OPT_X_TLS_PROTOCOL_TLS1_2;
    const int client = 0;
    RETURN_IF_ERROR(SetOption(ld.get(), LDAP_OPT_X_TLS_REQUIRE_CERT, &require, "X_TLS_REQUIRE_CERT", endpoint));
    RETURN_IF_ERROR(
        SetOption(ld.get(), LDAP_OPT_X_TLS_CACERTFILE, endpoint.ca_file.c_str(), "X_TLS_CACERTFILE", endpoint));
    // Only the configured bundle: a TLS_CACERTDIR from ldap.conf must not add anchors.
    RETURN_IF_ERROR(SetOption(ld.get(), LDAP_OPT_X_TLS_CACERTDIR, nullptr, "X_TLS_CACERTDIR", endpoint));
    RETURN_IF_ERROR(SetOption(ld.get(), LDAP_OPT_X_TLS_PROTOCOL_MIN, &min_protocol, "X_TLS_PROTOCOL_MIN", endpoint));
    // The TLS options above take effect only in a context created after them.
    if (Ldap().ldap_set_option(ld.get(), LDAP_OPT_X_TLS_NEWCTX, &client) != LDAP_OPT_SUCCESS) {
      return Error(ErrorCode::kInvalidArgument,
                   "cannot load the CA bundle " + endpoint.ca_file + " to verify " + endpoint.url,
                   DiagnosticMessage(ld.get()));
    }
  }

  // Bounds the memory of any single LDAP message before it is read: liblber refuses a PDU
  // whose length header exceeds this (errno ERANGE) and drops the connection.
  Sockbuf* sb = nullptr;
  ber_len_t max_incoming = config.max_total_bytes + kMessageOverhead;
  if (Ldap().ldap_get_option(ld.get(), LDAP_OPT_SOCKBUF, &sb) != LDAP_OPT_SUCCESS || !sb ||
      Ldap().ber_sockbuf_ctrl(sb, LBER_SB_OPT_SET_MAX_INCOMING, &max_incoming) != 1) {
    return Error(ErrorCode::kInternal, "cannot cap the LDAP message size for " + endpoint.url);
  }
  return ld;
}

}  // namespace sealpost::directory::internal
