// SPDX-License-Identifier: Apache-2.0
// EnvelopeReader: a BER (Auth)EnvelopedData read front to back — its header, then its
// encrypted content as a stream, then what follows the content.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cms/internal/ber_stream.h"
#include "core/byte_stream.h"
#include "core/result.h"

namespace sealpost::cms::internal {

// Header fields are capped (`header_cap` bytes in all) so a hostile header cannot make the
// engine hold it whole; the content is never held.
class EnvelopeReader final {
 public:
  // Reads up to the first octet of the encrypted content. kMalformed when `in` is not an
  // (Auth)EnvelopedData ContentInfo (the message says "not EnvelopedData" for other CMS
  // types), kLimit past the header cap.
  static Result<std::unique_ptr<EnvelopeReader>> Open(ByteSource& in, size_t header_cap);

  // AuthEnvelopedData (its tag follows the content), as opposed to EnvelopedData.
  bool authenticated() const { return authenticated_; }

  // The encrypted content octets, chunked or not in the input; end of input after the last.
  // Read it to its end before Finish.
  ByteSource& content() { return content_; }

  // Reads what follows the content (authAttrs, the tag, unprotectedAttrs) to the end of the
  // input, checking the structure closes properly.
  Status Finish();

  // The envelope as DER with the encrypted content detached: what CMS_decrypt takes. Before
  // Finish it lacks what follows the content — enough to decrypt EnvelopedData, whose
  // trailing unprotectedAttrs play no part in decryption.
  std::string Header() const;

  // The same with `trailer` in place of what follows the content: a header to hand OpenSSL
  // before the real trailer (an AuthEnvelopedData's tag) has been read.
  std::string HeaderWith(std::string_view trailer) const;

 private:
  class ContentSource final : public ByteSource {
   public:
    explicit ContentSource(EnvelopeReader& reader) : reader_(reader) {}
    Result<size_t> Read(char* buffer, size_t capacity) override;

   private:
    EnvelopeReader& reader_;
  };
  struct Open_ {
    TlvHeader header;
    std::uint64_t start = 0;
  };

  EnvelopeReader(ByteSource& in, size_t header_cap) : ber_(in, header_cap), header_cap_(header_cap), content_(*this) {}
  Status ReadToContent();
  Result<bool> Ended(const Open_& element);
  Result<size_t> ReadContent(char* buffer, size_t capacity);

  BerStream ber_;
  size_t header_cap_;
  ContentSource content_;
  bool authenticated_ = false;
  std::string oid_, before_, eci_prefix_, after_;
  Open_ ci_, wrap_, env_, eci_;
  // The content's chunk structure still open: [0] and any nested constructed OCTET STRINGs.
  std::vector<Open_> chunks_;
  std::uint64_t chunk_left_ = 0;  // octets left in the current primitive piece
  bool content_done_ = false;
  bool eci_closed_ = false;
};

}  // namespace sealpost::cms::internal
