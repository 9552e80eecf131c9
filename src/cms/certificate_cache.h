// SPDX-License-Identifier: Apache-2.0
// CertificateCache: certificates parsed once per distinct encoding. Decoding a certificate
// (its public key above all: OpenSSL 3.0 sets up a provider decoder each time) costs more
// than verifying a signature, and a mailbox carries the same few certificates in every
// message. Thread-safe; meant for one bulk run.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/result.h"
#include "pki/certificate.h"

namespace sealpost::cms {

class CertificateCache final {
 public:
  // The certificate with exactly these encoded bytes (DER or BER); errors as pki::Certificate::Parse.
  Result<pki::Certificate> Get(std::string_view encoded);

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, pki::Certificate> entries_;
};

}  // namespace sealpost::cms
