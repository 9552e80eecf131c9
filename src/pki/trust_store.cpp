// SPDX-License-Identifier: Apache-2.0
// Path validation with OpenSSL's X509_verify_cert, collecting every problem through the
// verify callback so the verdict can list them all, not just the first.
#include "pki/trust_store.h"

#include <openssl/x509v3.h>

#include <algorithm>

#include "ossl/errors.h"
#include "ossl/handles.h"

namespace sealpost::pki {
namespace {

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

void AddProblem(std::vector<std::string>& problems, const std::string& name) {
  if (std::find(problems.begin(), problems.end(), name) == problems.end()) problems.push_back(name);
}

// Records every error and lets validation go on, so all problems are reported.
int CollectingCallback(int ok, X509_STORE_CTX* ctx) {
  if (!ok) {
    auto* problems = static_cast<std::vector<std::string>*>(X509_STORE_CTX_get_app_data(ctx));
    if (problems) AddProblem(*problems, ProblemName(X509_STORE_CTX_get_error(ctx)));
  }
  return 1;
}

ossl::X509StackPtr ToStack(const std::vector<Certificate>& a, const std::vector<Certificate>& b) {
  ossl::X509StackPtr stack(sk_X509_new_null());
  for (const auto* list : {&a, &b}) {
    for (const auto& c : *list) {
      if (!stack) return stack;
      X509_up_ref(c.native());
      if (sk_X509_push(stack.get(), c.native()) <= 0) X509_free(c.native());  // out of memory: drop our ref
    }
  }
  return stack;
}

}  // namespace

ChainResult TrustStore::Validate(const Certificate& leaf, const std::vector<Certificate>& untrusted,
                                 std::time_t at, CertUse use, int min_rsa_bits) const {
  ChainResult result;
  ossl::X509StorePtr store(X509_STORE_new());
  ossl::X509StackPtr helpers = ToStack(untrusted, intermediates_);
  ossl::X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  // Out of memory (OpenSSL allocation failure) is not a verdict: nothing is trusted.
  bool anchors_ok = store != nullptr;
  for (const auto& anchor : anchors_) anchors_ok = anchors_ok && X509_STORE_add_cert(store.get(), anchor.native()) == 1;
  if (!anchors_ok || !helpers || !ctx || !X509_STORE_CTX_init(ctx.get(), store.get(), leaf.native(), helpers.get())) {
    ossl::DrainErrors();
    result.problems.push_back("internal-error");
    return result;
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  // An intermediate made an anchor ends the path there (the profile may trust a sub-CA).
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
  X509_VERIFY_PARAM_set_time(param, at);
  // Security level 2 (112-bit): rejects RSA < 2048 and SHA-1/MD5 certificate signatures,
  // unless the policy lowered the floor to read old mail.
  X509_VERIFY_PARAM_set_auth_level(param, min_rsa_bits >= 2048 ? 2 : 0);
  X509_STORE_CTX_set_purpose(ctx.get(), use == CertUse::kSigning ? X509_PURPOSE_SMIME_SIGN
                                                                  : X509_PURPOSE_ANY);
  X509_STORE_CTX_set_app_data(ctx.get(), &result.problems);
  X509_STORE_CTX_set_verify_cb(ctx.get(), CollectingCallback);
  int rc = X509_verify_cert(ctx.get());
  if (rc <= 0 && result.problems.empty()) AddProblem(result.problems, "untrusted");
  ossl::DrainErrors();

  if (STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx.get())) {
    for (int i = 0; i < sk_X509_num(chain); ++i) result.chain.push_back(Certificate::FromNative(sk_X509_value(chain, i)));
  }
  // S/MIME rules X509_PURPOSE does not cover for encryption: key usage and EKU of the leaf.
  if (use == CertUse::kEncryption) {
    if (!leaf.AllowsEncryption()) AddProblem(result.problems, "wrong-key-usage");
    if (!leaf.EkuAllowsEmail()) AddProblem(result.problems, "wrong-purpose");
  } else {
    if (!leaf.AllowsSigning()) AddProblem(result.problems, "wrong-key-usage");
    if (!leaf.EkuAllowsEmail()) AddProblem(result.problems, "wrong-purpose");
  }
  if (leaf.KeyAlgorithm() == "rsa" && leaf.KeyBits() < min_rsa_bits) AddProblem(result.problems, "weak-key");
  result.trusted = result.problems.empty();
  return result;
}

}  // namespace sealpost::pki
