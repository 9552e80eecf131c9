// SPDX-License-Identifier: Apache-2.0
// ValidationOptions: what a path validation is asked to prove, beyond "chains to an anchor".
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <vector>

namespace sealpost::pki {

// What the certificate is being validated for; decides the S/MIME key usage and EKU rules.
// kAny applies neither (the caller states its own EKU/name constraints in the options).
enum class CertUse { kAny, kSigning, kEncryption };

// A name the end-entity certificate must carry (RFC 6125 for DNS, RFC 8550 §3 for e-mail).
struct PeerName {
  enum class Kind { kDns, kIp, kEmail };
  Kind kind = Kind::kDns;
  std::string value;
};

struct ValidationOptions {
  std::optional<std::time_t> at;  // validation time; nullopt: the current time
  CertUse use = CertUse::kSigning;
  // Dotted OIDs the leaf's EKU must allow (an absent EKU or anyExtendedKeyUsage allows
  // all); CA certificates that carry an EKU must allow them too (EKU chaining).
  std::vector<std::string> required_ekus;
  // Key usage bits the leaf must assert when it has a key usage extension, by RFC 5280
  // name ("digitalSignature", "keyEncipherment", ...), on top of the rule `use` implies.
  std::vector<std::string> required_key_usage;
  std::vector<PeerName> peer_names;  // every one must match the leaf
  std::optional<int> max_depth;      // most CA certificates below the anchor; nullopt: 32
  std::vector<std::string> crls;     // PEM or DER CRLs; non-empty: every certificate is checked
  int min_rsa_bits = 2048;           // below 2048 also lowers OpenSSL's security level to 0
};

}  // namespace sealpost::pki
