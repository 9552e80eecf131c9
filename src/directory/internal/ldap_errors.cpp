// SPDX-License-Identifier: Apache-2.0
// Mapping libldap result codes onto Sealpost's coarse error domains.
#include "directory/internal/ldap_errors.h"

namespace sealpost::directory::internal {
namespace {

std::string Reason(int rc, const std::string& diagnostic) {
  std::string reason = Ldap().ldap_err2string(rc);
  if (!diagnostic.empty() && diagnostic != reason) reason += " (" + diagnostic + ")";
  return reason;
}

std::string Unreachable(const LdapEndpoint& endpoint, const std::string& why) {
  return "the directory " + endpoint.url + " cannot be reached: " + why;
}

}  // namespace

std::string DiagnosticMessage(LDAP* ld) {
  if (!ld) return {};
  char* raw = nullptr;
  if (Ldap().ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &raw) != LDAP_OPT_SUCCESS) return {};
  LdapStringPtr owned(raw);
  return owned ? std::string(owned.get()) : std::string();
}

bool IsTlsFailure(int rc, LdapStep step, const LdapEndpoint& endpoint, const std::string& diagnostic) {
  return endpoint.tls && (step == LdapStep::kConnect || step == LdapStep::kStartTls) &&
         (rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR) && !diagnostic.empty();
}

Error LdapError(LDAP* ld, int rc, LdapStep step, const LdapEndpoint& endpoint, const std::string& tls_reason) {
  const std::string diagnostic = DiagnosticMessage(ld);
  const std::string reason = Reason(rc, diagnostic);
  const std::string detail = "libldap " + std::to_string(rc) + ": " + reason;
  switch (rc) {
    case LDAP_SERVER_DOWN:
    case LDAP_CONNECT_ERROR:
      if (IsTlsFailure(rc, step, endpoint, diagnostic)) {
        // libldap's GnuTLS backend reports a failed verification as "(unknown error code)".
        const std::string why = !tls_reason.empty() ? tls_reason
                                                    : diagnostic + " (the server certificate must chain to " +
                                                          endpoint.ca_file + " and name the host)";
        return Error(ErrorCode::kNetwork, Unreachable(endpoint, "TLS failed: " + why), detail);
      }
      return Error(ErrorCode::kNetwork, Unreachable(endpoint, reason), detail);
    case LDAP_TIMEOUT:
      return Error(ErrorCode::kNetwork, Unreachable(endpoint, "no answer in time"), detail);
    case LDAP_UNAVAILABLE:
    case LDAP_BUSY:
      return Error(ErrorCode::kNetwork, Unreachable(endpoint, reason), detail);
    default:
      break;
  }
  if (step == LdapStep::kStartTls) {
    // RFC 4513 §3.1: after a refused StartTLS we may continue in clear; we do not (L6).
    return Error(ErrorCode::kPolicy,
                 "the directory " + endpoint.url + " refused StartTLS (" + reason + "); not continuing without TLS",
                 detail);
  }
  switch (rc) {
    case LDAP_INVALID_CREDENTIALS:
      return Error(ErrorCode::kBadPassword, "the directory " + endpoint.url + " refused the bind DN/password", detail);
    case LDAP_INAPPROPRIATE_AUTH:
    case LDAP_STRONG_AUTH_REQUIRED:
    case LDAP_CONFIDENTIALITY_REQUIRED:
    case LDAP_UNWILLING_TO_PERFORM:
    case LDAP_INSUFFICIENT_ACCESS:
      return Error(ErrorCode::kPolicy,
                   "the directory " + endpoint.url + " refused the " + (step == LdapStep::kBind ? "bind" : "search") +
                       ": " + reason,
                   detail);
    case LDAP_SIZELIMIT_EXCEEDED:
    case LDAP_TIMELIMIT_EXCEEDED:
    case LDAP_ADMINLIMIT_EXCEEDED:
      return Error(ErrorCode::kLimit, "the directory " + endpoint.url + " stopped the search: " + reason, detail);
    case LDAP_NO_SUCH_OBJECT:
    case LDAP_INVALID_DN_SYNTAX:
      return Error(
          ErrorCode::kInvalidArgument,
          "the directory " + endpoint.url + " has no entry at the base DN (" + reason + "); check ldap_base_dn",
          detail);
    case LDAP_FILTER_ERROR:
    case LDAP_PROTOCOL_ERROR:
      if (step != LdapStep::kSearch) break;
      return Error(ErrorCode::kInvalidArgument,
                   "the directory " + endpoint.url + " rejected the search (" + reason + "); check ldap_search_filter",
                   detail);
    case LDAP_REFERRAL:
      return Error(ErrorCode::kUnsupported,
                   "the directory " + endpoint.url + " referred the search elsewhere (" + reason +
                       "); referrals are not followed, point ldap_server_address at the right server",
                   detail);
    case LDAP_DECODING_ERROR:
      return Error(ErrorCode::kMalformed, "the directory " + endpoint.url + " sent an answer that is not valid BER",
                   detail);
    default:
      break;
  }
  return Error(ErrorCode::kInternal, "talking to the directory " + endpoint.url + " failed: " + reason, detail);
}

}  // namespace sealpost::directory::internal
