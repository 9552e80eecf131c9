// SPDX-License-Identifier: Apache-2.0
// The shape nearly every signed message has, read without OpenSSL's CMS decoder: a bulk
// run spends more on d2i_CMS_ContentInfo, its free and the re-encoding of the signed
// attributes than on the signature itself.
//
// The shape (RFC 5652 §5, DER throughout): a ContentInfo holding SignedData version 1 with
// one digest algorithm (SHA-256/384/512), detached id-data content, plain certificates
// in the bag if there is one, no CRLs, and one SignerInfo version 1 (issuer and serial number) with
// signed attributes, no unsigned ones. The signed attributes obey RFC 5652 §11 as OpenSSL
// enforces it, each attribute has one value, and every value is of a kind OpenSSL 3.0
// re-encodes byte for byte (so the bytes here are the bytes it would check the signature
// over). Anything else is not this shape, and the caller takes OpenSSL's path.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace sealpost::cms::internal {

struct CommonSignedData {
  int digest_nid = 0;                              // NID_sha256, NID_sha384 or NID_sha512
  int signature_nid = 0;                           // the signatureAlgorithm's NID (not judged here)
  std::vector<std::string_view> certificates;      // the bag, each a whole encoding, in order
  std::string_view issuer;                         // the signer's issuer Name, whole encoding
  std::string_view serial;                         // the signer's serialNumber, whole encoding
  std::string_view signed_attributes;              // the contents of the [0] signedAttrs
  std::string_view signature;                      // the signature octets
  std::string_view message_digest;                 // the messageDigest octets
  std::optional<long long> signing_time;           // seconds since the epoch
  bool has_sender_preferences = false;             // SMIMECapabilities or SMIMEEncryptionKeyPreference
};

// nullopt unless `der` is exactly one ContentInfo of the shape above.
std::optional<CommonSignedData> ParseCommonSignedData(std::string_view der);

// The signingTime contents as seconds since the epoch, for the two forms RFC 5280 §4.1.2.5
// fixes (YYMMDDHHMMSSZ, YYYYMMDDHHMMSSZ) with a real calendar date; nullopt otherwise.
std::optional<long long> ParseSigningTime(std::string_view contents, bool generalized);

}  // namespace sealpost::cms::internal
