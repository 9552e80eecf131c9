// SPDX-License-Identifier: Apache-2.0
// One libldap connection: options, StartTLS and simple bind (searches: ldap_connection_search.cpp).
#include "directory/internal/ldap_connection.h"

#include <cerrno>
#include <chrono>

#include "directory/internal/ldap_errors.h"
#include "directory/internal/ldap_handle_setup.h"
#include "directory/internal/ldap_sigpipe_guard.h"
#include "directory/internal/ldap_tls_diagnosis.h"

namespace sealpost::directory::internal {
namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

Result<std::unique_ptr<LdapConnection>> LdapConnection::Open(const LdapConfig& config, const LdapEndpoint& endpoint,
                                                             pki::CertificateCache& certificates) {
  LdapSigpipeGuard no_sigpipe;
  auto watchdog = std::make_unique<LdapSocketWatchdog>();
  ASSIGN_OR_RETURN(LdapPtr ld, NewLdapHandle(config, endpoint, *watchdog));
  std::unique_ptr<LdapConnection> connection(new LdapConnection(std::move(watchdog), std::move(ld), config, endpoint, certificates));
  LDAP* handle = connection->ld_.get();
  // Connecting, StartTLS and the bind together get one timeout_ms.
  LdapDeadlineScope deadline(*connection->watchdog_, Clock::now() + std::chrono::milliseconds(config.timeout_ms));
  auto failed = [&](int rc, LdapStep step) {
    if (deadline.Disarm()) return connection->TimedOut("connecting");
    std::string tls_reason;
    if (IsTlsFailure(rc, step, endpoint, DiagnosticMessage(handle))) tls_reason = DiagnoseTlsFailure(config, endpoint);
    return LdapError(handle, rc, step, endpoint, tls_reason);
  };

  // Connect now (ldaps: including the TLS handshake) so that failures are reported as
  // connection failures, not as failures of whatever operation came first.
  int rc = Ldap().ldap_connect(handle);
  if (rc != LDAP_SUCCESS) return failed(rc, LdapStep::kConnect);
  if (config.starttls) {
    rc = Ldap().ldap_start_tls_s(handle, nullptr, nullptr);
    if (rc != LDAP_SUCCESS) return failed(rc, LdapStep::kStartTls);
  }
  if (!config.access_anonymously) {
    // Checked again here, not only in Create: the password goes out only over TLS.
    if (!endpoint.tls) return Error(ErrorCode::kPolicy, "refusing to bind to " + endpoint.url + " without TLS");
    RETURN_IF_ERROR(connection->CheckStillSecure());
    berval credentials{};
    credentials.bv_len = config.bind_password.size();
    // libldap only reads the credentials; the cast is for its C signature.
    credentials.bv_val = const_cast<char*>(config.bind_password.view().data());
    rc = Ldap().ldap_sasl_bind_s(handle, config.bind_dn.c_str(), LDAP_SASL_SIMPLE, &credentials, nullptr, nullptr, nullptr);
    if (rc != LDAP_SUCCESS) return failed(rc, LdapStep::kBind);
  }
  if (deadline.Disarm()) return connection->TimedOut("connecting");
  return connection;
}

Status LdapConnection::CheckStillSecure() {
  ber_socket_t fd = -1;
  if (Ldap().ldap_get_option(ld_.get(), LDAP_OPT_DESC, &fd) != LDAP_OPT_SUCCESS || fd < 0) {
    lost_ = true;
    return Fail(Error(ErrorCode::kNetwork, "the directory " + endpoint_.url + " cannot be reached: connection closed"));
  }
  if (endpoint_.tls && !Ldap().ldap_tls_inplace(ld_.get())) {
    return Fail(Error(ErrorCode::kPolicy,
                      "TLS is not in place on the connection to " + endpoint_.url + "; nothing is sent in clear"));
  }
  return Ok();
}

Error LdapConnection::TimedOut(std::string_view what) const {
  return Error(ErrorCode::kNetwork, "the directory " + endpoint_.url + " cannot be reached: no answer within " +
                                        std::to_string(config_.timeout_ms) + " ms while " + std::string(what));
}

Error LdapConnection::Fail(Error error) {
  reusable_ = false;
  return error;
}

LdapConnection::~LdapConnection() {
  LdapSigpipeGuard no_sigpipe;
  ld_.reset();  // here, inside the guard, rather than after the body
}

LdapConnection::Batch& LdapConnection::FailBatch(Batch& batch, Error error) {
  batch.failure = Fail(std::move(error));
  return batch;
}

}  // namespace sealpost::directory::internal
