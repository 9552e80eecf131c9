// SPDX-License-Identifier: Apache-2.0
// ContactsStore: the local directory of other people's certificates (the embedded default
// source), filled by hand (`contacts add`) or harvested from verified signed mail.
#pragma once

#include <ctime>
#include <string>
#include <vector>

#include "core/result.h"
#include "pki/certificate.h"

namespace sealpost::directory {

struct Contact {
  pki::Certificate certificate;
  std::string source;                     // "manual" or "harvested"
  std::vector<std::string> capabilities;  // the sender's SMIMECapabilities, when harvested
  std::time_t added = 0;
};

class ContactsStore final {
 public:
  explicit ContactsStore(std::string dir) : dir_(std::move(dir)) {}

  // Adds or updates (same certificate: new capabilities and source win). Files are written
  // atomically; the directory is created 0700.
  Status Add(const pki::Certificate& cert, const std::string& source, const std::vector<std::string>& capabilities);
  // What verified signed mail teaches: the sender's certificate and capabilities. Writes
  // only what is new or changed (reading the same sender's mail again writes nothing, where
  // each verification used to rewrite and fsync two files), and a contact added by hand
  // stays "manual".
  Status Harvest(const pki::Certificate& cert, const std::vector<std::string>& capabilities);
  Result<std::vector<Contact>> List() const;
  // Contacts whose certificate carries `address` (case-insensitive).
  Result<std::vector<Contact>> ForAddress(const std::string& address) const;
  // Removes the contact whose fingerprint starts with `fingerprint_prefix` (8+ digits).
  Status Remove(const std::string& fingerprint_prefix);

 private:
  std::string dir_;
};

}  // namespace sealpost::directory
