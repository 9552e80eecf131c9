// SPDX-License-Identifier: Apache-2.0
// Checks a built path for what OpenSSL's X509_verify_cert leaves to the application:
// S/MIME key usage and EKU (RFC 8550 §4.4), EKU chaining, peer names, explicit-curve keys.
// Each appends stable problem names ("wrong-purpose", "wrong-key-usage", ...) to `problems`.
#pragma once

#include <string>
#include <vector>

#include "pki/certificate.h"
#include "pki/internal/path_builder.h"
#include "pki/validation_options.h"

namespace sealpost::pki::internal {

// The EKU OIDs the options require, with emailProtection added for the S/MIME uses.
std::vector<std::string> RequiredEkus(const ValidationOptions& options);

// The purposes the path allows are the intersection of each certificate's EKU (absent or
// anyExtendedKeyUsage: all); it must be non-empty and hold every required OID. An EKU
// extension that is empty or unparsable allows nothing (RFC 5280 §4.2.1.12: SIZE (1..MAX)).
void CheckExtendedKeyUsage(const CertPath& path, const std::vector<std::string>& required,
                           std::vector<std::string>& problems);

// RFC 8550 §4.4.2: signing needs digitalSignature or nonRepudiation; encryption needs
// keyEncipherment for RSA keys and keyAgreement for EC keys. Each `required` bit must be
// asserted too. An absent key usage allows everything (RFC 5280 §4.2.1.3).
void CheckKeyUsage(const Certificate& leaf, CertUse use, const std::vector<std::string>& required,
                   std::vector<std::string>& problems);

// Every peer name must match a subjectAltName of the leaf (DNS and IP never fall back to the
// subject CN; e-mail falls back to the subject emailAddress only when no rfc822Name exists).
void CheckPeerNames(const Certificate& leaf, const std::vector<PeerName>& names, std::vector<std::string>& problems);

// A few RFC 5280 rules OpenSSL checks only under X509_V_FLAG_X509_STRICT, whose other
// checks (AKI/SKI presence, critical basicConstraints) would refuse older S/MIME
// hierarchies: CA subjects are non-empty, an empty leaf subject needs a critical SAN, a leaf
// without cA asserts no keyCertSign and carries no name constraints.
void CheckConformance(const CertPath& path, std::vector<std::string>& problems);

// Every rfc822Name of the leaf must be a mailbox (one "@", a host-name domain); OpenSSL's
// name-constraint check splits "a@b@example.com" at the first "@" and lets it pass.
void CheckEmailSyntax(const Certificate& leaf, std::vector<std::string>& problems);

// Keys on explicit (unnamed) elliptic-curve parameters are refused anywhere in the path
// (catalogue P9; RFC 5480 §2.1.1 allows only namedCurve).
void CheckKeyParameters(const CertPath& path, std::vector<std::string>& problems);

// Adds `name` once.
void AddProblem(std::vector<std::string>& problems, const std::string& name);

}  // namespace sealpost::pki::internal
