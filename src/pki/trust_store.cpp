// SPDX-License-Identifier: Apache-2.0
// Path validation with OpenSSL's X509_verify_cert, collecting every problem through the
// verify callback so the verdict can list them all, not just the first.
#include "pki/trust_store.h"

#include <openssl/x509v3.h>

#include <openssl/pem.h>

#include <optional>

#include "ossl/errors.h"
#include "ossl/handles.h"
#include "pki/internal/chain_rules.h"
#include "pki/internal/path_builder.h"

namespace sealpost::pki {
namespace {

void FreeCrlStack(STACK_OF(X509_CRL)* s) { sk_X509_CRL_pop_free(s, X509_CRL_free); }

std::string ProblemName(int err) {
  switch (err) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CRL_HAS_EXPIRED:
      return "expired";
    case X509_V_ERR_CERT_NOT_YET_VALID:
    case X509_V_ERR_CRL_NOT_YET_VALID:
      return "not-yet-valid";
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_UNTRUSTED:
      return "untrusted";
    case X509_V_ERR_CERT_REVOKED:
      return "revoked";
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
    case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
      return "bad-certificate-signature";
    case X509_V_ERR_INVALID_PURPOSE:
      return "wrong-purpose";
    case X509_V_ERR_INVALID_CA:
    case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
      return "invalid-ca";
    case X509_V_ERR_PATH_LENGTH_EXCEEDED:
      return "path-too-long";
    case X509_V_ERR_PERMITTED_VIOLATION:
    case X509_V_ERR_EXCLUDED_VIOLATION:
    case X509_V_ERR_SUBTREE_MINMAX:
    case X509_V_ERR_UNSUPPORTED_NAME_SYNTAX:
    case X509_V_ERR_UNSUPPORTED_CONSTRAINT_TYPE:
    case X509_V_ERR_UNSUPPORTED_CONSTRAINT_SYNTAX:
      return "name-constraints";
    case X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION:
      return "unhandled-critical-extension";
    case X509_V_ERR_CA_KEY_TOO_SMALL:
    case X509_V_ERR_EE_KEY_TOO_SMALL:
      return "weak-key";
    case X509_V_ERR_CA_MD_TOO_WEAK:
      return "weak-signature-algorithm";
    case X509_V_ERR_EC_KEY_EXPLICIT_PARAMS:
      return "explicit-curve";
    case X509_V_ERR_UNABLE_TO_GET_CRL:
    case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
      return "revocation-unknown";
    case X509_V_ERR_INVALID_POLICY_EXTENSION:
    case X509_V_ERR_NO_EXPLICIT_POLICY:
      return "policy";
    case X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD:
    case X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD:
      return "malformed-validity";
    default:
      return "invalid-certificate";
  }
}

struct CallbackState {
  std::vector<std::string>* problems;
  std::time_t at;
};

// Records every error and lets validation go on, so all problems are reported.
int CollectingCallback(int ok, X509_STORE_CTX* ctx) {
  auto* state = static_cast<CallbackState*>(X509_STORE_CTX_get_app_data(ctx));
  if (ok || !state) return 1;
  int err = X509_STORE_CTX_get_error(ctx);
  // RFC 5280 §4.1.2.5: the validity period runs "from notBefore through notAfter,
  // inclusive"; OpenSSL counts the notAfter second itself as expired.
  X509* cert = X509_STORE_CTX_get_current_cert(ctx);
  if (err == X509_V_ERR_CERT_HAS_EXPIRED && cert && ASN1_TIME_cmp_time_t(X509_get0_notAfter(cert), state->at) == 0)
    return 1;
  internal::AddProblem(*state->problems, ProblemName(err));
  return 1;
}

ossl::X509StackPtr ToStack(const std::vector<const Certificate*>& certs) {
  ossl::X509StackPtr stack(sk_X509_new_null());
  for (const Certificate* c : certs) {
    if (!stack) return stack;
    X509_up_ref(c->native());
    if (sk_X509_push(stack.get(), c->native()) <= 0) X509_free(c->native());  // out of memory: drop our ref
  }
  return stack;
}

using CrlStackPtr = ossl::Handle<STACK_OF(X509_CRL), FreeCrlStack>;

// Parses every CRL (PEM blocks or one DER); false if one is unreadable or has no CRL number.
bool ParseCrls(const std::vector<std::string>& inputs, STACK_OF(X509_CRL)* out) {
  for (const auto& input : inputs) {
    ossl::BioPtr bio = ossl::MemBio(input.data(), input.size());
    size_t before = static_cast<size_t>(sk_X509_CRL_num(out));
    while (X509_CRL* crl = PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr)) sk_X509_CRL_push(out, crl);
    if (static_cast<size_t>(sk_X509_CRL_num(out)) == before) {
      const unsigned char* p = reinterpret_cast<const unsigned char*>(input.data());
      X509_CRL* crl = d2i_X509_CRL(nullptr, &p, static_cast<long>(input.size()));
      if (!crl) return false;
      sk_X509_CRL_push(out, crl);
    }
  }
  // RFC 5280 §5.2.3: "conforming CRL issuers MUST include this extension in all CRLs";
  // without it a CRL cannot be ordered against a newer one, so it is not used at all.
  for (int i = 0; i < sk_X509_CRL_num(out); ++i) {
    if (X509_CRL_get_ext_by_NID(sk_X509_CRL_value(out, i), NID_crl_number, -1) < 0) return false;
  }
  ossl::DrainErrors();
  return true;
}

// Non-self-issued CA certificates strictly between the leaf and the anchor.
int CountIntermediates(const std::vector<Certificate>& chain) {
  int count = 0;
  for (size_t i = 1; i + 1 < chain.size(); ++i) {
    X509* c = chain[i].native();
    if (X509_NAME_cmp(X509_get_subject_name(c), X509_get_issuer_name(c)) != 0) ++count;
  }
  return count;
}

constexpr int kDefaultMaxIntermediates = 32;

// One run of OpenSSL's validator over exactly these anchors and helpers, then the rules it
// leaves to us, on the chain it built.
ChainResult Attempt(const Certificate& leaf, const std::vector<const Certificate*>& anchors,
                    const std::vector<const Certificate*>& helpers, const ValidationOptions& options,
                    STACK_OF(X509_CRL)* crls) {
  ChainResult result;
  ossl::X509StorePtr store(X509_STORE_new());
  // Out of memory (OpenSSL allocation failure) is not a verdict: nothing is trusted.
  bool anchors_ok = store != nullptr;
  for (const Certificate* anchor : anchors) anchors_ok = anchors_ok && X509_STORE_add_cert(store.get(), anchor->native()) == 1;
  ossl::X509StackPtr untrusted = ToStack(helpers);
  ossl::X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!anchors_ok || !untrusted || !ctx || !X509_STORE_CTX_init(ctx.get(), store.get(), leaf.native(), untrusted.get())) {
    ossl::DrainErrors();
    result.problems.push_back("internal-error");
    return result;
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  // An intermediate made an anchor ends the path there (the profile may trust a sub-CA).
  unsigned long flags = X509_V_FLAG_PARTIAL_CHAIN;
  if (crls && sk_X509_CRL_num(crls) > 0) {
    flags |= X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL;
    X509_STORE_CTX_set0_crls(ctx.get(), crls);
  }
  X509_VERIFY_PARAM_set_flags(param, flags);
  CallbackState state{&result.problems, options.at ? *options.at : std::time(nullptr)};
  X509_VERIFY_PARAM_set_time(param, state.at);
  // Security level 2 (112-bit): rejects RSA < 2048 and SHA-1/MD5 certificate signatures,
  // unless the policy lowered the floor to read old mail.
  X509_VERIFY_PARAM_set_auth_level(param, options.min_rsa_bits >= 2048 ? 2 : 0);
  // The subject CN is never a host name, so name constraints do not apply to it either.
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
  X509_STORE_CTX_set_app_data(ctx.get(), &state);
  X509_STORE_CTX_set_verify_cb(ctx.get(), CollectingCallback);
  int rc = X509_verify_cert(ctx.get());
  if (rc <= 0 && result.problems.empty()) internal::AddProblem(result.problems, "untrusted");
  ossl::DrainErrors();

  if (STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx.get())) {
    for (int i = 0; i < sk_X509_num(chain); ++i) result.chain.push_back(Certificate::FromNative(sk_X509_value(chain, i)));
  }
  internal::CertPath path;
  for (const auto& c : result.chain) path.push_back(&c);
  if (path.empty()) path.push_back(&leaf);
  if (CountIntermediates(result.chain) > options.max_depth.value_or(kDefaultMaxIntermediates))
    internal::AddProblem(result.problems, "path-too-long");
  internal::CheckExtendedKeyUsage(path, internal::RequiredEkus(options), result.problems);
  internal::CheckKeyUsage(leaf, options.use, options.required_key_usage, result.problems);
  internal::CheckPeerNames(leaf, options.peer_names, result.problems);
  internal::CheckKeyParameters(path, result.problems);
  internal::CheckConformance(path, result.problems);
  internal::CheckEmailSyntax(leaf, result.problems);
  if (leaf.KeyAlgorithm() == "rsa" && leaf.KeyBits() < options.min_rsa_bits)
    internal::AddProblem(result.problems, "weak-key");
  return result;
}

}  // namespace

ChainResult TrustStore::Validate(const Certificate& leaf, const std::vector<Certificate>& untrusted,
                                 const ValidationOptions& options) const {
  CrlStackPtr crls(sk_X509_CRL_new_null());
  if (!crls || !ParseCrls(options.crls, crls.get())) {
    ChainResult result;
    result.problems.push_back("invalid-crl");
    return result;
  }
  std::vector<Certificate> helpers = untrusted;
  helpers.insert(helpers.end(), intermediates_.begin(), intermediates_.end());

  internal::PathLimits limits;
  limits.max_intermediates = options.max_depth.value_or(kDefaultMaxIntermediates);
  internal::PathBuilder builder(anchors_, helpers, limits);
  std::optional<ChainResult> first;
  ChainResult result;
  bool found = builder.ForEachPath(leaf, [&](const internal::CertPath& path) {
    std::vector<const Certificate*> middle(path.begin() + 1, path.end() - (path.size() > 1 ? 1 : 0));
    ChainResult attempt = Attempt(leaf, {path.back()}, middle, options, crls.get());
    if (attempt.problems.empty()) {
      result = std::move(attempt);
      return true;
    }
    if (!first) first = std::move(attempt);
    return false;
  });
  if (!found) {
    if (first) {
      result = std::move(*first);
    } else {
      // No candidate path: OpenSSL's own search over everything names the reason.
      std::vector<const Certificate*> all_anchors, all_helpers;
      for (const auto& c : anchors_) all_anchors.push_back(&c);
      for (const auto& c : helpers) all_helpers.push_back(&c);
      result = Attempt(leaf, all_anchors, all_helpers, options, crls.get());
      if (result.problems.empty()) internal::AddProblem(result.problems, "untrusted");
    }
    if (builder.exhausted()) internal::AddProblem(result.problems, "path-search-limit");
  }
  result.trusted = result.problems.empty();
  return result;
}

ChainResult TrustStore::Validate(const Certificate& leaf, const std::vector<Certificate>& untrusted,
                                 std::time_t at, CertUse use, int min_rsa_bits) const {
  ValidationOptions options;
  options.at = at;
  options.use = use;
  options.min_rsa_bits = min_rsa_bits;
  return Validate(leaf, untrusted, options);
}

}  // namespace sealpost::pki
