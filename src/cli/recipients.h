// SPDX-License-Identifier: Apache-2.0
// Client-side recipient work: certificate sources from policy, resolving a message's
// addresses for encryption (fail closed), and harvesting from verified mail.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cli/cli_common.h"
#include "directory/certificate_source.h"
#include "smime/report.h"

namespace sealpost::cli {

// The vault item holding the directory bind password (`sealpost secret set ldap_bind_password`).
inline constexpr const char* kLdapBindPasswordId = "secret:ldap_bind_password";

// The sources the policy names (public_certificate_source), in lookup order.
Result<std::vector<std::unique_ptr<directory::CertificateSource>>> MakeSources(const Options& o,
                                                                              const profile::Profile& p);

// The revocation rule of recipient selection under the policy's `revocation`: unset when
// off; else a revoked certificate is passed over as "revoked", and under hard-fail one whose
// status nobody could tell as "revocation unknown (...)". Catalogue L12/S2.
Result<directory::RevocationCheck> RecipientRevocationCheck(const Options& o, const profile::Profile& p);

// Every To/Cc (and Bcc when `include_bcc`) address of `message`, lower-cased, without
// duplicates.
Result<std::vector<std::string>> RecipientAddresses(std::string_view message, bool include_bcc = true);

// The Bcc addresses of `message` that are not also in To/Cc, lower-cased, without duplicates.
Result<std::vector<std::string>> BlindAddresses(std::string_view message);

// `message` without its Bcc header fields (folded lines included); the body is untouched.
std::string WithoutBccHeader(std::string_view message);

// Certificates (and known capabilities) for every address, or an error listing each
// address without a usable certificate and why (kPolicy: exit 1), or kNetwork when a
// source needed for the answer could not be reached (exit 4).
Status ResolveForEncryption(const Options& o, const std::vector<std::string>& addresses,
                            smime::EncryptRequest& request);

// Adds the certificates of good signatures (valid, trusted, bound to From) to the local
// contacts with their capabilities, preferring the SMIMEEncryptionKeyPreference
// certificate, so replies can be encrypted. Failures are warnings, never fatal.
void Harvest(const Options& o, const smime::Report& report);

}  // namespace sealpost::cli
