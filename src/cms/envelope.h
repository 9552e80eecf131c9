// SPDX-License-Identifier: Apache-2.0
// EnvelopedData (AES-CBC) and AuthEnvelopedData (AES-GCM, RFC 5083/5084): encryption to
// certificates and decryption with the profile's keys.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cms/algorithms.h"
#include "core/result.h"
#include "core/secret_bytes.h"
#include "pki/certificate.h"
#include "pki/private_key.h"

namespace sealpost::cms {

struct Recipient {
  pki::Certificate certificate;
  bool rsa_oaep = false;  // RSAES-OAEP (SHA-256, MGF1-SHA-256) instead of PKCS#1 v1.5
};

// Encrypts `content` to every recipient (RSA key transport or ECDH ephemeral-static key
// agreement) and returns the DER ContentInfo. GCM ciphers produce AuthEnvelopedData.
Result<std::string> Encrypt(std::string_view content, const std::vector<Recipient>& recipients,
                            ContentCipher cipher);

// Cap on RecipientInfos in one (Auth)EnvelopedData (docs/limits.md): each is compared with
// every identity of the profile, so a hostile count costs CPU for nothing. 1000 is far above
// a real distribution list (and catalogue S5 sends Bcc copies separately anyway).
inline constexpr int kMaxRecipientInfos = 1000;

// What the CMS header says, read before any key is used.
struct EnvelopeInfo {
  bool authenticated = false;   // AuthEnvelopedData
  std::string algorithm;        // "aes-256-gcm", "3des-cbc", ...
  bool legacy = false;          // RC2/DES/3DES: refused unless allow_legacy
  int recipient_count = 0;
  int tag_length = 0;           // AuthEnvelopedData: aes-ICVlen, 12..16
  std::string tag;              // AuthEnvelopedData: the mac, once it has been read
  bool auth_attrs = false;      // AuthEnvelopedData carries authAttrs (GCM associated data)
};

// Where an AuthEnvelopedData's tag is: in the header given, or still to come after the
// encrypted content (a streamed envelope whose content has not been read yet).
enum class TagPlace { kInHeader, kFollowsContent };

// Inspects an EnvelopedData/AuthEnvelopedData header. Rejects what mail never uses or what
// is dangerous to hand to OpenSSL: password/KEK recipients (catalogue E9), GCM tags shorter
// than 12 bytes (E4), nonces outside 8..16 bytes (E5), unknown ciphers; kLimit beyond
// kMaxRecipientInfos recipients. With kFollowsContent the mac (and authAttrs) are not
// looked for; the rest is checked the same.
Result<EnvelopeInfo> InspectEnvelope(std::string_view der, TagPlace tag_place = TagPlace::kInHeader);

struct Identity {
  pki::Certificate certificate;
  pki::PrivateKey key;
};

struct DecryptOptions {
  bool allow_legacy = false;
};

// Decrypts with the first identity that matches a RecipientInfo (only that RecipientInfo is
// tried, catalogue E7). Errors: kNoKey (not for us), kIntegrity (GCM tag or padding check
// failed: nothing is returned), kPolicy (legacy cipher without allow_legacy), kMalformed.
Result<std::string> Decrypt(std::string_view der, const std::vector<Identity>& identities,
                            const DecryptOptions& options);

}  // namespace sealpost::cms
