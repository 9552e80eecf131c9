// SPDX-License-Identifier: Apache-2.0
// EnvelopedData/AuthEnvelopedData for messages of any size: encryption and decryption that
// stream the content, so memory stays flat whatever the message size.
//
// The engine keeps the small part of an envelope (version, RecipientInfos, algorithm, GCM
// tag: the "header") in memory and passes the encrypted content through. OpenSSL 3.0 does
// the cryptography over a detached encryptedContent; the BER around it is ours.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cms/envelope.h"
#include "core/byte_stream.h"

namespace sealpost::cms {

namespace internal {
class EnvelopeReader;
}  // namespace internal

// Encrypts everything `content` yields to `recipients` and writes the BER ContentInfo to
// `out` (indefinite lengths around the content, 64 KiB OCTET STRING chunks — the form
// `openssl cms -stream` writes). Same recipients and ciphers as Encrypt.
Status EncryptStream(ByteSource& content, const std::vector<Recipient>& recipients, ContentCipher cipher,
                     ByteSink& out);

// Header fields of an envelope read as a stream are capped, so a hostile header cannot make
// the engine hold it whole.
inline constexpr size_t kEnvelopeHeaderCap = 4 << 20;

// An (Auth)EnvelopedData read front to back and decrypted in one pass.
// Move-only; the source given to Open must outlive it.
class EnvelopeStream final {
 public:
  // Reads the header, up to the encrypted content, from a BER or DER ContentInfo. Errors:
  // kMalformed ("... not EnvelopedData ..." for another CMS type), kLimit past
  // kEnvelopeHeaderCap.
  static Result<EnvelopeStream> Open(ByteSource& in);
  EnvelopeStream(EnvelopeStream&&) noexcept;
  EnvelopeStream& operator=(EnvelopeStream&&) noexcept;
  ~EnvelopeStream();

  // Decrypts into `plaintext` (identity matching, rules and errors as Decrypt), then
  // reads the rest of the input, which must close the structure. Both kinds stream straight
  // from the input; AuthEnvelopedData's tag, which follows the content, is checked at the
  // end, and authAttrs (associated data that would be needed first) are refused. On any
  // error the caller discards what `plaintext` received.
  Status Decrypt(const std::vector<Identity>& identities, const DecryptOptions& options, ByteSink& plaintext);

  // The header read so far, as DER without the encrypted content: before Decrypt, without
  // what follows the content either (an AuthEnvelopedData's tag), so InspectEnvelope takes
  // it with TagPlace::kFollowsContent.
  std::string Header() const;

 private:
  explicit EnvelopeStream(std::unique_ptr<internal::EnvelopeReader> reader);
  std::unique_ptr<internal::EnvelopeReader> reader_;
};

}  // namespace sealpost::cms
