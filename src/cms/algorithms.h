// SPDX-License-Identifier: Apache-2.0
// The digests and content ciphers Sealpost produces, and names for what it reads.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sealpost::cms {

enum class Digest { kSha256, kSha384, kSha512 };
enum class ContentCipher { kAes256Gcm, kAes128Gcm, kAes256Cbc, kAes128Cbc };

std::string_view DigestName(Digest d);                   // "sha256"
std::optional<Digest> ParseDigest(std::string_view name);  // "sha256" | "sha-256" ...
std::string_view MicalgName(Digest d);                   // RFC 8551 §3.5.3.2: "sha-256"
std::string_view CipherName(ContentCipher c);            // "aes-256-gcm"
std::optional<ContentCipher> ParseCipher(std::string_view name);
bool IsAuthenticated(ContentCipher c);                   // GCM → AuthEnvelopedData

// For algorithms read from messages (by OpenSSL NID): a stable lower-case name, and
// whether policy calls them legacy (refused unless allow_legacy).
std::string NidName(int nid);
bool IsLegacyDigestNid(int nid);
bool IsLegacyCipherNid(int nid);

}  // namespace sealpost::cms
