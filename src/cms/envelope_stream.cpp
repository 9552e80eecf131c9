// SPDX-License-Identifier: Apache-2.0
#include "cms/envelope_stream.h"

#include <openssl/cms.h>

#include <memory>

#include "cms/internal/ber_reader.h"
#include "cms/internal/der_writer.h"
#include "cms/internal/entity_start.h"
#include "cms/internal/envelope_reader.h"
#include "cms/internal/envelope_setup.h"
#include "ossl/errors.h"
#include "ossl/handles.h"
#include "ossl/providers.h"
#include "ossl/stream_bio.h"

namespace sealpost::cms {
namespace {

using internal::EncodeLength;

constexpr size_t kContentChunk = 1 << 18;
constexpr size_t kOctetChunk = 1 << 16;
constexpr std::string_view kIndefiniteSequence("\x30\x80", 2);
constexpr std::string_view kIndefiniteContext0("\xa0\x80", 2);
constexpr std::string_view kEndOfContents("\x00\x00", 2);

Result<std::string> ToDer(CMS_ContentInfo* cms) {
  unsigned char* der = nullptr;
  int len = i2d_CMS_ContentInfo(cms, &der);
  if (len <= 0) return ossl::MakeError(ErrorCode::kInternal, "cannot encode the encrypted structure");
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

// The fields of an (Auth)EnvelopedData DER header, split around EncryptedContentInfo.
struct EnvelopeParts {
  std::string oid;
  std::string before;      // version, originatorInfo, recipientInfos
  std::string eci_prefix;  // contentType + contentEncryptionAlgorithm
  std::string after;       // authAttrs, mac, unprotectedAttrs
};

Result<EnvelopeParts> PartsOf(std::string_view der) {
  using internal::Children;
  auto bad = [] { return Error(ErrorCode::kInternal, "unexpected encrypted structure from OpenSSL"); };
  auto ci = internal::ReadTlv(der);
  if (!ci) return bad();
  auto top = Children(*ci);
  if (!top || top->size() != 2) return bad();
  auto wrapped = Children((*top)[1]);
  if (!wrapped || wrapped->size() != 1) return bad();
  auto fields = Children((*wrapped)[0]);
  if (!fields) return bad();
  EnvelopeParts parts;
  parts.oid = (*top)[0].whole;
  bool saw_recipients = false, saw_eci = false;
  for (const auto& f : *fields) {
    if (!saw_eci && saw_recipients && f.tag == 0x30) {
      auto eci = Children(f);
      if (!eci || eci->size() < 2) return bad();
      parts.eci_prefix = std::string((*eci)[0].whole) + std::string((*eci)[1].whole);
      saw_eci = true;
      continue;
    }
    if (f.tag == 0x31) saw_recipients = true;
    (saw_eci ? parts.after : parts.before) += f.whole;
  }
  if (!saw_eci) return bad();
  return parts;
}

// Cuts the encrypted content into OCTET STRING chunks of kOctetChunk bytes.
class OctetChunker final : public ByteSink {
 public:
  explicit OctetChunker(ByteSink& out) : out_(out) { pending_.reserve(kOctetChunk); }
  Status Write(std::string_view bytes) override {
    while (!bytes.empty()) {
      size_t take = std::min(kOctetChunk - pending_.size(), bytes.size());
      pending_.append(bytes.substr(0, take));
      bytes.remove_prefix(take);
      if (pending_.size() == kOctetChunk) RETURN_IF_ERROR(Emit());
    }
    return Ok();
  }
  Status Finish() override { return pending_.empty() ? Ok() : Emit(); }

 private:
  Status Emit() {
    RETURN_IF_ERROR(out_.Write("\x04" + EncodeLength(pending_.size())));
    RETURN_IF_ERROR(out_.Write(pending_));
    pending_.clear();
    return Ok();
  }
  ByteSink& out_;
  std::string pending_;
};

// Frees the BIO chain CMS_dataInit built, without freeing our own BIO at its end.
struct ChainReleaser {
  BIO* chain;
  BIO* ours;
  ~ChainReleaser() {
    if (!chain || chain == ours) return;
    BIO_pop(ours);
    BIO_free_all(chain);
  }
};

}  // namespace

Status EncryptStream(ByteSource& content, const std::vector<Recipient>& recipients, ContentCipher cipher,
                     ByteSink& out) {
  const unsigned flags = CMS_BINARY | CMS_PARTIAL | CMS_DETACHED | CMS_STREAM;
  ASSIGN_OR_RETURN(ossl::CmsPtr cms, internal::StartEnvelope(recipients, cipher, flags));
  CMS_set_detached(cms.get(), 1);

  OctetChunker chunker(out);
  ossl::StreamBio ciphertext = ossl::StreamBio::Writing(chunker);
  BIO* chain = CMS_dataInit(cms.get(), ciphertext.get());
  if (!chain) return ossl::MakeError(ErrorCode::kInternal, "cannot start encryption");
  ChainReleaser release{chain, ciphertext.get()};

  // The content key is made and wrapped for every recipient by CMS_dataInit, so the header
  // up to the content can be written before the content is.
  ASSIGN_OR_RETURN(std::string first_der, ToDer(cms.get()));
  ASSIGN_OR_RETURN(EnvelopeParts first, PartsOf(first_der));
  std::string prefix;
  prefix += kIndefiniteSequence;
  prefix += first.oid;
  prefix += kIndefiniteContext0;
  prefix += kIndefiniteSequence;
  prefix += first.before;
  prefix += kIndefiniteSequence;
  prefix += first.eci_prefix;
  prefix += kIndefiniteContext0;  // encryptedContent [0] IMPLICIT OCTET STRING, constructed
  RETURN_IF_ERROR(out.Write(prefix));

  std::unique_ptr<char[]> buffer(new char[kContentChunk]);
  for (;;) {
    ASSIGN_OR_RETURN(size_t n, content.Read(buffer.get(), kContentChunk));
    if (n == 0) break;
    if (BIO_write(chain, buffer.get(), static_cast<int>(n)) != static_cast<int>(n)) {
      if (ciphertext.error()) return *ciphertext.error();
      return ossl::MakeError(ErrorCode::kInternal, "encryption failed");
    }
  }
  if (BIO_flush(chain) <= 0 || !CMS_dataFinal(cms.get(), chain)) {
    if (ciphertext.error()) return *ciphertext.error();
    return ossl::MakeError(ErrorCode::kInternal, "encryption failed");
  }
  RETURN_IF_ERROR(chunker.Finish());

  ASSIGN_OR_RETURN(std::string final_der, ToDer(cms.get()));
  ASSIGN_OR_RETURN(EnvelopeParts last, PartsOf(final_der));
  if (last.before != first.before || last.eci_prefix != first.eci_prefix)
    return Error(ErrorCode::kInternal, "the encrypted structure's header changed while the content was written");
  std::string suffix;
  suffix += kEndOfContents;  // encryptedContent
  suffix += kEndOfContents;  // EncryptedContentInfo
  suffix += last.after;      // GCM: authAttrs and the tag
  suffix += kEndOfContents;  // (Auth)EnvelopedData
  suffix += kEndOfContents;  // [0]
  suffix += kEndOfContents;  // ContentInfo
  RETURN_IF_ERROR(out.Write(suffix));
  return out.Finish();
}

namespace {

// AuthEnvelopedData in one pass. Its tag follows the content, so OpenSSL gets the header with
// a placeholder tag of the announced length (d2i insists on one) to unwrap the content key
// and set up the cipher; the ciphertext is then decrypted as it is read, and the real tag
// goes to the cipher just before the final check. `plaintext` holds what was decrypted until
// then, and on any error the caller discards it (catalogue E3).
Status DecryptAuthenticated(internal::EnvelopeReader& reader, const std::vector<Identity>& identities,
                            ByteSink& plaintext) {
  ASSIGN_OR_RETURN(EnvelopeInfo announced, InspectEnvelope(reader.Header(), TagPlace::kFollowsContent));
  const std::string placeholder = internal::Wrap(0x04, std::string(static_cast<size_t>(announced.tag_length), '\0'));
  ASSIGN_OR_RETURN(ossl::CmsPtr cms, internal::ParseEnvelope(reader.HeaderWith(placeholder)));
  RETURN_IF_ERROR(internal::SelectIdentity(cms.get(), identities));

  // CMS_dataInit pushes the cipher onto `no_content`, which is never read: the ciphertext
  // goes to the cipher directly, in big pieces.
  ossl::BioPtr no_content(BIO_new(BIO_s_mem()));
  if (!no_content) return ossl::MakeError(ErrorCode::kInternal, "out of memory while decrypting");
  ossl::BioPtr chain(CMS_dataInit(cms.get(), no_content.get()));
  if (!chain) return ossl::MakeError(ErrorCode::kInternal, "cannot start decryption");
  (void)no_content.release();  // owned by the chain now
  EVP_CIPHER_CTX* cipher = nullptr;
  BIO* cipher_bio = BIO_find_type(chain.get(), BIO_TYPE_CIPHER);
  if (!cipher_bio || BIO_get_cipher_ctx(cipher_bio, &cipher) != 1 || !cipher)
    return ossl::MakeError(ErrorCode::kInternal, "cannot start decryption");

  std::unique_ptr<unsigned char[]> ciphertext(new unsigned char[kContentChunk]);
  std::unique_ptr<unsigned char[]> decrypted(new unsigned char[kContentChunk + EVP_MAX_BLOCK_LENGTH]);
  for (;;) {
    ASSIGN_OR_RETURN(size_t n, reader.content().Read(reinterpret_cast<char*>(ciphertext.get()), kContentChunk));
    if (n == 0) break;
    int out = 0;
    if (EVP_DecryptUpdate(cipher, decrypted.get(), &out, ciphertext.get(), static_cast<int>(n)) != 1)
      return ossl::MakeError(ErrorCode::kInternal, "decryption failed");
    RETURN_IF_ERROR(plaintext.Write(std::string_view(reinterpret_cast<const char*>(decrypted.get()), static_cast<size_t>(out))));
  }

  RETURN_IF_ERROR(reader.Finish());
  const std::string whole_header = reader.Header();
  ASSIGN_OR_RETURN(EnvelopeInfo whole, InspectEnvelope(whole_header));  // the tag's presence and length
  // RFC 5083 makes authAttrs part of the GCM associated data, which must go in before the
  // ciphertext; they arrive after it, and OpenSSL 3.0 cannot even parse them.
  if (whole.auth_attrs)
    return Error(ErrorCode::kUnsupported,
                 "the encrypted message carries authenticated attributes (authAttrs), which Sealpost cannot check; refused");
  // OpenSSL parses the whole header once more, so that a trailer it refuses is refused here
  // too, as when the envelope is decrypted in memory.
  RETURN_IF_ERROR(internal::ParseEnvelope(whole_header));
  int out = 0;
  if (EVP_CIPHER_CTX_ctrl(cipher, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(whole.tag.size()),
                          const_cast<char*>(whole.tag.data())) != 1 ||
      EVP_DecryptFinal_ex(cipher, decrypted.get(), &out) != 1 || out != 0) {
    return Error(ErrorCode::kIntegrity, "decryption failed: the message was altered (authentication tag mismatch)",
                 ossl::DrainErrors());
  }
  return plaintext.Finish();
}

// EnvelopedData: the header read so far (what follows the content plays no part in
// decryption) and the content as it streams from the input through the cipher.
Status DecryptStream(std::string_view header_der, ByteSource& ciphertext, const std::vector<Identity>& identities,
                     const DecryptOptions& options, ByteSink& plaintext) {
  ASSIGN_OR_RETURN(EnvelopeInfo info, InspectEnvelope(header_der));
  if (info.legacy) {
    if (!options.allow_legacy)
      return Error(ErrorCode::kPolicy, "insecure-algorithm: the message is encrypted with " + info.algorithm +
                                           ", which is refused; use --allow-legacy to read old mail");
    ossl::EnsureLegacyProvider();
  }
  ASSIGN_OR_RETURN(ossl::CmsPtr cms, internal::ParseEnvelope(header_der));
  RETURN_IF_ERROR(internal::SelectIdentity(cms.get(), identities));

  ossl::StreamBio source = ossl::StreamBio::Reading(ciphertext);
  internal::EntityStartGuard guarded(plaintext);
  ByteSink& destination = info.authenticated ? plaintext : static_cast<ByteSink&>(guarded);
  ossl::StreamBio sink = ossl::StreamBio::Writing(destination);
  // With a detached encryptedContent CMS_decrypt reads the ciphertext through `source`; for
  // AuthEnvelopedData it fails after the last byte if the tag does not match, and the caller
  // then throws away what `plaintext` received (catalogue E3).
  if (CMS_decrypt(cms.get(), nullptr, nullptr, source.get(), sink.get(), CMS_BINARY) != 1) {
    std::string why = ossl::DrainErrors();
    if (source.error()) return *source.error();
    if (sink.error()) return *sink.error();
    if (!info.authenticated) return internal::UndecryptableContent(std::move(why));
    return Error(ErrorCode::kIntegrity, "decryption failed: the message was altered (authentication tag mismatch)",
                 why);
  }
  return destination.Finish();
}

}  // namespace

Result<EnvelopeStream> EnvelopeStream::Open(ByteSource& in) {
  ASSIGN_OR_RETURN(std::unique_ptr<internal::EnvelopeReader> reader,
                   internal::EnvelopeReader::Open(in, kEnvelopeHeaderCap));
  return EnvelopeStream(std::move(reader));
}

EnvelopeStream::EnvelopeStream(std::unique_ptr<internal::EnvelopeReader> reader) : reader_(std::move(reader)) {}
EnvelopeStream::EnvelopeStream(EnvelopeStream&&) noexcept = default;
EnvelopeStream& EnvelopeStream::operator=(EnvelopeStream&&) noexcept = default;
EnvelopeStream::~EnvelopeStream() = default;

Status EnvelopeStream::Decrypt(const std::vector<Identity>& identities, const DecryptOptions& options,
                               ByteSink& plaintext) {
  if (!reader_->authenticated()) {
    // What follows the content (unprotectedAttrs) plays no part in decryption: the header
    // read so far is enough, and the content flows from the input through the cipher.
    RETURN_IF_ERROR(DecryptStream(reader_->Header(), reader_->content(), identities, options, plaintext));
    RETURN_IF_ERROR(reader_->Finish());
    // A trailer OpenSSL refuses (damaged unprotectedAttrs, say) is refused, as in memory.
    RETURN_IF_ERROR(internal::ParseEnvelope(reader_->Header()));
    return Ok();
  }
  return DecryptAuthenticated(*reader_, identities, plaintext);
}

std::string EnvelopeStream::Header() const { return reader_->Header(); }

}  // namespace sealpost::cms
