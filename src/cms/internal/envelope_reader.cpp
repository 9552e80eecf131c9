// SPDX-License-Identifier: Apache-2.0
#include "cms/internal/envelope_reader.h"

#include <string_view>

#include "cms/internal/der_writer.h"

namespace sealpost::cms::internal {
namespace {

// DER of id-envelopedData (1.2.840.113549.1.7.3) and id-ct-authEnvelopedData (…9.16.1.23).
constexpr std::string_view kEnvelopedOid("\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x03", 11);
constexpr std::string_view kAuthEnvelopedOid("\x06\x0b\x2a\x86\x48\x86\xf7\x0d\x01\x09\x10\x01\x17", 13);

// Constructed OCTET STRINGs nested inside the content's [0] (BER allows any depth; real
// encoders use one level, so a handful is plenty).
constexpr size_t kMaxChunkDepth = 5;

Error Malformed(const std::string& what) {
  return Error(ErrorCode::kMalformed, "the encrypted message is malformed: " + what);
}

}  // namespace

Result<std::unique_ptr<EnvelopeReader>> EnvelopeReader::Open(ByteSource& in, size_t header_cap) {
  std::unique_ptr<EnvelopeReader> reader(new EnvelopeReader(in, header_cap));
  RETURN_IF_ERROR(reader->ReadToContent());
  return reader;
}

// True once `element` has been read whole.
Result<bool> EnvelopeReader::Ended(const Open_& element) {
  if (element.header.indefinite) return ber_.TakeEndOfContents();
  if (ber_.offset() > element.start + element.header.length) return Malformed("a CMS element overruns its length");
  return ber_.offset() == element.start + element.header.length;
}

Status EnvelopeReader::ReadToContent() {
  ASSIGN_OR_RETURN(ci_.header, ber_.ReadHeader());
  if (ci_.header.tag != 0x30) return Malformed("not a CMS ContentInfo");
  ci_.start = ber_.offset();
  ASSIGN_OR_RETURN(oid_, ber_.ReadElement());
  if (oid_ != kEnvelopedOid && oid_ != kAuthEnvelopedOid)
    return Error(ErrorCode::kMalformed, "the CMS structure is not EnvelopedData or AuthEnvelopedData");
  authenticated_ = oid_ == kAuthEnvelopedOid;
  ASSIGN_OR_RETURN(wrap_.header, ber_.ReadHeader());
  if (wrap_.header.tag != 0xa0) return Malformed("bad content wrapper");
  wrap_.start = ber_.offset();
  ASSIGN_OR_RETURN(env_.header, ber_.ReadHeader());
  if (env_.header.tag != 0x30) return Malformed("bad content wrapper");
  env_.start = ber_.offset();

  bool saw_recipients = false;
  for (;;) {
    ASSIGN_OR_RETURN(bool done, Ended(env_));
    if (done) return Malformed("no encrypted content");
    ASSIGN_OR_RETURN(int tag, ber_.PeekTag());
    if (tag < 0) return Malformed("truncated");
    if (saw_recipients && tag == 0x30) break;  // EncryptedContentInfo
    if (tag == 0x31) saw_recipients = true;
    ASSIGN_OR_RETURN(std::string field, ber_.ReadElement());
    if (before_.size() + field.size() > header_cap_)
      return Error(ErrorCode::kLimit, "the encrypted message's header is larger than Sealpost accepts");
    before_ += field;
  }

  ASSIGN_OR_RETURN(eci_.header, ber_.ReadHeader());
  eci_.start = ber_.offset();
  ASSIGN_OR_RETURN(std::string content_type, ber_.ReadElement());
  ASSIGN_OR_RETURN(std::string algorithm, ber_.ReadElement());
  eci_prefix_ = content_type + algorithm;
  ASSIGN_OR_RETURN(bool eci_done, Ended(eci_));
  if (eci_done) {
    eci_closed_ = true;
    content_done_ = true;  // no encryptedContent: nothing to stream
    return Ok();
  }
  ASSIGN_OR_RETURN(TlvHeader content, ber_.ReadHeader());
  if (content.tag == 0x80) {  // [0] IMPLICIT OCTET STRING, primitive
    chunk_left_ = content.length;
    content_done_ = chunk_left_ == 0;
  } else if (content.tag == 0xa0) {  // constructed: OCTET STRING pieces
    chunks_.push_back({content, ber_.offset()});
  } else {
    return Malformed("unexpected field in the encrypted content");
  }
  return Ok();
}

Result<size_t> EnvelopeReader::ContentSource::Read(char* buffer, size_t capacity) {
  return reader_.ReadContent(buffer, capacity);
}

Result<size_t> EnvelopeReader::ReadContent(char* buffer, size_t capacity) {
  while (!content_done_ && capacity > 0) {
    if (chunk_left_ > 0) {
      ASSIGN_OR_RETURN(size_t n, ber_.ReadSome(chunk_left_, buffer, capacity));
      chunk_left_ -= n;
      if (chunk_left_ == 0 && chunks_.empty()) content_done_ = true;  // the primitive form ends
      return n;
    }
    // Between pieces: close what has ended, else open the next piece.
    ASSIGN_OR_RETURN(bool ended, Ended(chunks_.back()));
    if (ended) {
      chunks_.pop_back();
      content_done_ = chunks_.empty();
      continue;
    }
    ASSIGN_OR_RETURN(TlvHeader piece, ber_.ReadHeader());
    if (piece.tag == 0x04) {
      chunk_left_ = piece.length;
    } else if (piece.tag == 0x24) {
      if (chunks_.size() >= kMaxChunkDepth) return Malformed("the encrypted content nests its chunks too deeply");
      chunks_.push_back({piece, ber_.offset()});
    } else {
      return Malformed("the encrypted content holds something other than OCTET STRING chunks");
    }
  }
  return 0;
}

Status EnvelopeReader::Finish() {
  if (!content_done_) return Error(ErrorCode::kInternal, "the encrypted content was not read to its end");
  if (!eci_closed_) {
    ASSIGN_OR_RETURN(bool eci_done, Ended(eci_));
    if (!eci_done) return Malformed("unexpected field after the encrypted content");
    eci_closed_ = true;
  }
  for (;;) {
    ASSIGN_OR_RETURN(bool done, Ended(env_));
    if (done) break;
    ASSIGN_OR_RETURN(std::string field, ber_.ReadElement());
    if (before_.size() + after_.size() + field.size() > header_cap_)
      return Error(ErrorCode::kLimit, "the encrypted message's header is larger than Sealpost accepts");
    after_ += field;
  }
  ASSIGN_OR_RETURN(bool wrap_done, Ended(wrap_));
  ASSIGN_OR_RETURN(bool ci_done, Ended(ci_));
  if (!wrap_done || !ci_done) return Malformed("unexpected data after the envelope");
  ASSIGN_OR_RETURN(bool at_end, ber_.AtEnd());
  if (!at_end) return Malformed("data follows the CMS structure");
  return Ok();
}

std::string EnvelopeReader::Header() const { return HeaderWith(after_); }

std::string EnvelopeReader::HeaderWith(std::string_view trailer) const {
  std::string fields = before_ + Wrap(0x30, eci_prefix_);
  fields += trailer;
  return Wrap(0x30, oid_ + Wrap(0xa0, Wrap(0x30, fields)));
}

}  // namespace sealpost::cms::internal
