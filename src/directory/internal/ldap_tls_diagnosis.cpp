// SPDX-License-Identifier: Apache-2.0
// A second, verification-off handshake whose only use is to name why the first one failed.
#include "directory/internal/ldap_tls_diagnosis.h"

#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <string_view>

#include "directory/internal/ldap_handle_setup.h"
#include "directory/internal/ldap_sigpipe_guard.h"
#include "directory/internal/ldap_socket_watchdog.h"
#include "ossl/errors.h"
#include "ossl/handles.h"
#include "pki/certificate.h"

namespace sealpost::directory::internal {
namespace {

std::string HostOf(const std::string& url) {
  LDAPURLDesc* raw = nullptr;
  if (Ldap().ldap_url_parse(url.c_str(), &raw) != LDAP_URL_SUCCESS) return {};
  LdapUrlPtr parsed(raw);
  return parsed->lud_host ? parsed->lud_host : "";
}

// The server's certificate, with verification off; null when no handshake completed.
ossl::X509Ptr FetchPeerCertificate(const LdapConfig& config, const LdapEndpoint& endpoint) {
  LdapSigpipeGuard no_sigpipe;  // first: it must outlive the handle's unbind
  LdapSocketWatchdog watchdog;
  auto ld = NewLdapHandle(config, endpoint, watchdog, LdapTlsCheck::kFetchOnly);
  if (!ld) return nullptr;
  LdapDeadlineScope deadline(watchdog, std::chrono::steady_clock::now() + std::chrono::milliseconds(config.timeout_ms));
  if (Ldap().ldap_connect(ld->get()) != LDAP_SUCCESS) return nullptr;
  if (config.starttls && Ldap().ldap_start_tls_s(ld->get(), nullptr, nullptr) != LDAP_SUCCESS) return nullptr;
  berval der{};
  if (Ldap().ldap_get_option(ld->get(), LDAP_OPT_X_TLS_PEERCERT, &der) != LDAP_OPT_SUCCESS || !der.bv_val) return nullptr;
  LdapStringPtr owned(der.bv_val);  // libldap allocated the bytes for us
  const auto* p = reinterpret_cast<const unsigned char*>(der.bv_val);
  return ossl::X509Ptr(d2i_X509(nullptr, &p, static_cast<long>(der.bv_len)));
}

// OpenSSL's reason when `cert` does not chain to an anchor in `ca_file`; empty if it does.
// Only the leaf is known here, so a server that relies on sending its intermediates is
// reported as not chaining; the message says "as sent" to leave room for that.
std::string ChainProblem(X509* cert, const std::string& ca_file) {
  ossl::X509StorePtr store(X509_STORE_new());
  if (!store || X509_STORE_load_file(store.get(), ca_file.c_str()) != 1) {
    ossl::DrainErrors();
    return "the CA bundle " + ca_file + " cannot be read";
  }
  ossl::X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), cert, nullptr) != 1) return {};
  X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER);
  if (X509_verify_cert(ctx.get()) == 1) return {};
  ossl::DrainErrors();
  return X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));
}

bool NamesHost(X509* cert, const std::string& host) {
  // An IP literal must match an iPAddress SAN (RFC 6125 §1.7.2), a name a dNSName.
  if (X509_check_ip_asc(cert, host.c_str(), 0) == 1) return true;
  return X509_check_host(cert, host.c_str(), host.size(), 0, nullptr) == 1;
}

}  // namespace

std::string DiagnoseTlsFailure(const LdapConfig& config, const LdapEndpoint& endpoint) {
  ossl::X509Ptr cert = FetchPeerCertificate(config, endpoint);
  if (!cert) return {};
  const pki::Certificate described = pki::Certificate::FromNative(cert.get());
  const std::string who = "the server certificate (" + described.Subject() + ", issued by " + described.Issuer() + ")";
  if (std::string problem = ChainProblem(cert.get(), endpoint.ca_file); !problem.empty()) {
    return who + " does not verify against " + endpoint.ca_file + " as sent: " + problem;
  }
  const std::string host = HostOf(endpoint.url);
  if (!host.empty() && !NamesHost(cert.get(), host)) return who + " does not name the host " + host;
  return {};
}

}  // namespace sealpost::directory::internal
