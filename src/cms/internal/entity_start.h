// SPDX-License-Identifier: Apache-2.0
// Whether decrypted bytes begin the way a MIME entity does: the only sign of a wrong content
// key that unauthenticated (CBC) encryption gives.
//
// A damaged or hostile RSA encryptedKey leaves OpenSSL decrypting with a random key (its
// countermeasure against Bleichenbacher's attack: every failure takes the same path). The
// random plaintext's padding checks out about once in 256 tries, so without this check such
// a message "decrypted" to noise now and then, and whether it did was an oracle on the RSA
// padding (catalogue E7). An S/MIME entity starts with a header line or, headerless, with
// text; the first 64 bytes of random data pass for that with odds far below 1 in 10^7.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/byte_stream.h"
#include "core/result.h"

namespace sealpost::cms::internal {

enum class EntityStart { kNeedMore, kPlausible, kImplausible };

// How many leading bytes decide, at most.
inline constexpr size_t kEntityStartWindow = 64;

// Text bytes (printable ASCII, tab, CR, LF, well-formed UTF-8) up to the window or up to the
// blank line that ends a header block. `complete` says `head` is the whole plaintext.
EntityStart ClassifyEntityStart(std::string_view head, bool complete);

// The error every failed decryption of unauthenticated content reports, whatever failed:
// one message, so that none of them tells an attacker more than another.
Error UndecryptableContent(std::string detail = {});

// Holds back the first bytes of a plaintext until ClassifyEntityStart decides, then passes
// everything through; implausible content never reaches `next`.
class EntityStartGuard final : public ByteSink {
 public:
  explicit EntityStartGuard(ByteSink& next) : next_(next) {}
  Status Write(std::string_view bytes) override;
  Status Finish() override;

 private:
  Status Release();

  ByteSink& next_;
  std::string held_;
  bool released_ = false;
};

}  // namespace sealpost::cms::internal
