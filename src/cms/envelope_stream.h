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

// Reads a BER/DER (Auth)EnvelopedData ContentInfo from `in`: the encrypted content octets go
// to `ciphertext`, and the result is the header — a DER ContentInfo without encryptedContent
// (detached), which InspectEnvelope and DecryptStream take. Header fields are capped
// (kEnvelopeHeaderCap) so a hostile header cannot make the engine hold it whole.
inline constexpr size_t kEnvelopeHeaderCap = 4 << 20;
Result<std::string> SplitEnvelope(ByteSource& in, ByteSink& ciphertext);

// Decrypts: the header from SplitEnvelope, the ciphertext it split off. Same identity
// matching, rules and errors as Decrypt. Plaintext reaches `plaintext` as it is decrypted,
// so on any error (kIntegrity: GCM tag or padding check failed) the caller must discard what
// the sink received — an AtomicFileSink that is not committed does exactly that.
Status DecryptStream(std::string_view header_der, ByteSource& ciphertext, const std::vector<Identity>& identities,
                     const DecryptOptions& options, ByteSink& plaintext);

// An (Auth)EnvelopedData read front to back, decrypted in one pass where it can be.
// Move-only; the source given to Open must outlive it.
class EnvelopeStream final {
 public:
  // Reads the header, up to the encrypted content. Errors as SplitEnvelope (kMalformed
  // "... not EnvelopedData ..." for another CMS type, kLimit past kEnvelopeHeaderCap).
  static Result<EnvelopeStream> Open(ByteSource& in);
  EnvelopeStream(EnvelopeStream&&) noexcept;
  EnvelopeStream& operator=(EnvelopeStream&&) noexcept;
  ~EnvelopeStream();

  // Decrypts into `plaintext` (identity matching, rules and errors as DecryptStream), then
  // reads the rest of the input, which must close the structure. Both kinds stream straight
  // from the input; AuthEnvelopedData's tag, which follows the content, is checked at the
  // end, and authAttrs (associated data that would be needed first) are refused. On any
  // error the caller discards what `plaintext` received.
  Status Decrypt(const std::vector<Identity>& identities, const DecryptOptions& options, ByteSink& plaintext);

 private:
  explicit EnvelopeStream(std::unique_ptr<internal::EnvelopeReader> reader);
  std::unique_ptr<internal::EnvelopeReader> reader_;
};

}  // namespace sealpost::cms
