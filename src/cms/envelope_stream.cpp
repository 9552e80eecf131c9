// SPDX-License-Identifier: Apache-2.0
#include "cms/envelope_stream.h"

#include <openssl/cms.h>

#include <memory>

#include "cms/internal/ber_reader.h"
#include "cms/internal/ber_stream.h"
#include "cms/internal/envelope_setup.h"
#include "ossl/errors.h"
#include "ossl/handles.h"
#include "ossl/providers.h"
#include "ossl/stream_bio.h"

namespace sealpost::cms {
namespace {

using internal::BerStream;
using internal::TlvHeader;

constexpr size_t kContentChunk = 1 << 18;
constexpr size_t kOctetChunk = 1 << 16;
constexpr std::string_view kIndefiniteSequence("\x30\x80", 2);
constexpr std::string_view kIndefiniteContext0("\xa0\x80", 2);
constexpr std::string_view kEndOfContents("\x00\x00", 2);
// DER of id-envelopedData (1.2.840.113549.1.7.3) and id-ct-authEnvelopedData (…9.16.1.23).
constexpr std::string_view kEnvelopedOid("\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x03", 11);
constexpr std::string_view kAuthEnvelopedOid("\x06\x0b\x2a\x86\x48\x86\xf7\x0d\x01\x09\x10\x01\x17", 13);

std::string EncodeLength(size_t n) {
  if (n < 0x80) return std::string(1, static_cast<char>(n));
  std::string bytes;
  for (size_t v = n; v > 0; v >>= 8) bytes.insert(bytes.begin(), static_cast<char>(v & 0xff));
  return std::string(1, static_cast<char>(0x80 | bytes.size())) + bytes;
}

std::string Wrap(unsigned char tag, std::string_view contents) {
  std::string out(1, static_cast<char>(tag));
  out += EncodeLength(contents.size());
  out += contents;
  return out;
}

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

Status CopyChunks(BerStream& ber, const TlvHeader& outer, ByteSink& sink, int depth) {
  if (depth > 4) return Error(ErrorCode::kMalformed, "the encrypted content nests its chunks too deeply");
  const std::uint64_t start = ber.offset();
  for (;;) {
    if (outer.indefinite) {
      ASSIGN_OR_RETURN(bool end, ber.TakeEndOfContents());
      if (end) return Ok();
    } else if (ber.offset() >= start + outer.length) {
      if (ber.offset() > start + outer.length) return Error(ErrorCode::kMalformed, "the encrypted content's chunks overrun it");
      return Ok();
    }
    ASSIGN_OR_RETURN(TlvHeader chunk, ber.ReadHeader());
    if (chunk.tag == 0x04) {
      RETURN_IF_ERROR(ber.CopyTo(chunk.length, sink));
    } else if (chunk.tag == 0x24) {
      RETURN_IF_ERROR(CopyChunks(ber, chunk, sink, depth + 1));
    } else {
      return Error(ErrorCode::kMalformed, "the encrypted content holds something other than OCTET STRING chunks");
    }
  }
}

// True once the element opened by `h` (contents starting at `start`) has been read whole.
Result<bool> Ended(BerStream& ber, const TlvHeader& h, std::uint64_t start) {
  if (h.indefinite) return ber.TakeEndOfContents();
  if (ber.offset() > start + h.length) return Error(ErrorCode::kMalformed, "a CMS element overruns its length");
  return ber.offset() == start + h.length;
}

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

Result<std::string> SplitEnvelope(ByteSource& in, ByteSink& ciphertext) {
  BerStream ber(in, kEnvelopeHeaderCap);
  auto malformed = [](const std::string& what) {
    return Error(ErrorCode::kMalformed, "the encrypted message is malformed: " + what);
  };
  ASSIGN_OR_RETURN(TlvHeader ci, ber.ReadHeader());
  if (ci.tag != 0x30) return malformed("not a CMS ContentInfo");
  const std::uint64_t ci_start = ber.offset();
  ASSIGN_OR_RETURN(std::string oid, ber.ReadElement());
  if (oid != kEnvelopedOid && oid != kAuthEnvelopedOid)
    return Error(ErrorCode::kMalformed, "the CMS structure is not EnvelopedData or AuthEnvelopedData");
  ASSIGN_OR_RETURN(TlvHeader wrap, ber.ReadHeader());
  if (wrap.tag != 0xa0) return malformed("bad content wrapper");
  const std::uint64_t wrap_start = ber.offset();
  ASSIGN_OR_RETURN(TlvHeader env, ber.ReadHeader());
  if (env.tag != 0x30) return malformed("bad content wrapper");
  const std::uint64_t env_start = ber.offset();

  std::string before, after, eci_prefix;
  bool saw_recipients = false, saw_eci = false;
  for (;;) {
    ASSIGN_OR_RETURN(bool done, Ended(ber, env, env_start));
    if (done) break;
    ASSIGN_OR_RETURN(int tag, ber.PeekTag());
    if (tag < 0) return malformed("truncated");
    if (!saw_eci && saw_recipients && tag == 0x30) {
      ASSIGN_OR_RETURN(TlvHeader eci, ber.ReadHeader());
      const std::uint64_t eci_start = ber.offset();
      ASSIGN_OR_RETURN(std::string content_type, ber.ReadElement());
      ASSIGN_OR_RETURN(std::string algorithm, ber.ReadElement());
      eci_prefix = content_type + algorithm;
      ASSIGN_OR_RETURN(bool eci_done, Ended(ber, eci, eci_start));
      if (!eci_done) {
        ASSIGN_OR_RETURN(TlvHeader content, ber.ReadHeader());
        if (content.tag == 0x80) {
          RETURN_IF_ERROR(ber.CopyTo(content.length, ciphertext));
        } else if (content.tag == 0xa0) {
          RETURN_IF_ERROR(CopyChunks(ber, content, ciphertext, 0));
        } else {
          return malformed("unexpected field in the encrypted content");
        }
        ASSIGN_OR_RETURN(eci_done, Ended(ber, eci, eci_start));
        if (!eci_done) return malformed("unexpected field after the encrypted content");
      }
      saw_eci = true;
      continue;
    }
    if (tag == 0x31) saw_recipients = true;
    ASSIGN_OR_RETURN(std::string field, ber.ReadElement());
    if (before.size() + after.size() + field.size() > kEnvelopeHeaderCap)
      return Error(ErrorCode::kLimit, "the encrypted message's header is larger than Sealpost accepts");
    (saw_eci ? after : before) += field;
  }
  if (!saw_eci) return malformed("no encrypted content");
  ASSIGN_OR_RETURN(bool wrap_done, Ended(ber, wrap, wrap_start));
  ASSIGN_OR_RETURN(bool ci_done, Ended(ber, ci, ci_start));
  if (!wrap_done || !ci_done) return malformed("unexpected data after the envelope");
  ASSIGN_OR_RETURN(bool at_end, ber.AtEnd());
  if (!at_end) return malformed("data follows the CMS structure");
  RETURN_IF_ERROR(ciphertext.Finish());
  return Wrap(0x30, oid + Wrap(0xa0, Wrap(0x30, before + Wrap(0x30, eci_prefix) + after)));
}

Status DecryptStream(std::string_view header_der, ByteSource& ciphertext, const std::vector<Identity>& identities,
                     const DecryptOptions& options, ByteSink& plaintext) {
  ASSIGN_OR_RETURN(EnvelopeInfo info, InspectEnvelope(header_der));
  if (info.legacy) {
    if (!options.allow_legacy)
      return Error(ErrorCode::kPolicy, "insecure-algorithm: the message is encrypted with " + info.algorithm +
                                           ", which is refused; use --allow-legacy to read old mail");
    ossl::EnsureLegacyProvider();
  }
  ossl::BioPtr in = ossl::MemBio(header_der.data(), header_der.size());
  ossl::CmsPtr cms(d2i_CMS_bio(in.get(), nullptr));
  if (!cms) return ossl::MakeError(ErrorCode::kMalformed, "the encrypted message is not a readable CMS structure");
  RETURN_IF_ERROR(internal::SelectIdentity(cms.get(), identities));

  ossl::StreamBio source = ossl::StreamBio::Reading(ciphertext);
  ossl::StreamBio sink = ossl::StreamBio::Writing(plaintext);
  // With a detached encryptedContent CMS_decrypt reads the ciphertext through `source`; for
  // AuthEnvelopedData it fails after the last byte if the tag does not match, and the caller
  // then throws away what `plaintext` received (catalogue E3).
  if (CMS_decrypt(cms.get(), nullptr, nullptr, source.get(), sink.get(), CMS_BINARY) != 1) {
    std::string why = ossl::DrainErrors();
    if (source.error()) return *source.error();
    if (sink.error()) return *sink.error();
    return Error(ErrorCode::kIntegrity,
                 info.authenticated ? "decryption failed: the message was altered (authentication tag mismatch)"
                                    : "decryption failed: the message was altered or the key does not fit",
                 why);
  }
  return plaintext.Finish();
}

}  // namespace sealpost::cms
