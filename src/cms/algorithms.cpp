// SPDX-License-Identifier: Apache-2.0
// Algorithm names and legacy classification (RFC 8551 §2.7, RFC 8550).
#include "cms/algorithms.h"

#include <openssl/obj_mac.h>
#include <openssl/objects.h>

#include "core/ascii.h"


namespace sealpost::cms {

std::string_view DigestName(Digest d) {
  switch (d) {
    case Digest::kSha256: return "sha256";
    case Digest::kSha384: return "sha384";
    case Digest::kSha512: return "sha512";
  }
  return "sha256";
}

std::optional<Digest> ParseDigest(std::string_view name) {
  std::string n = AsciiLower(name);
  if (n == "sha256" || n == "sha-256") return Digest::kSha256;
  if (n == "sha384" || n == "sha-384") return Digest::kSha384;
  if (n == "sha512" || n == "sha-512") return Digest::kSha512;
  return std::nullopt;
}

std::string_view MicalgName(Digest d) {
  switch (d) {
    case Digest::kSha256: return "sha-256";
    case Digest::kSha384: return "sha-384";
    case Digest::kSha512: return "sha-512";
  }
  return "sha-256";
}

std::string_view CipherName(ContentCipher c) {
  switch (c) {
    case ContentCipher::kAes256Gcm: return "aes-256-gcm";
    case ContentCipher::kAes128Gcm: return "aes-128-gcm";
    case ContentCipher::kAes256Cbc: return "aes-256-cbc";
    case ContentCipher::kAes128Cbc: return "aes-128-cbc";
  }
  return "aes-256-cbc";
}

std::optional<ContentCipher> ParseCipher(std::string_view name) {
  std::string n = AsciiLower(name);
  if (n == "aes-256-gcm") return ContentCipher::kAes256Gcm;
  if (n == "aes-128-gcm") return ContentCipher::kAes128Gcm;
  if (n == "aes-256-cbc") return ContentCipher::kAes256Cbc;
  if (n == "aes-128-cbc") return ContentCipher::kAes128Cbc;
  return std::nullopt;
}

bool IsAuthenticated(ContentCipher c) {
  return c == ContentCipher::kAes256Gcm || c == ContentCipher::kAes128Gcm;
}

std::string NidName(int nid) {
  switch (nid) {
    case NID_sha1: return "sha1";
    case NID_md5: return "md5";
    case NID_md4: return "md4";
    case NID_sha224: return "sha224";
    case NID_sha256: return "sha256";
    case NID_sha384: return "sha384";
    case NID_sha512: return "sha512";
    case NID_sha3_256: return "sha3-256";
    case NID_sha3_384: return "sha3-384";
    case NID_sha3_512: return "sha3-512";
    case NID_aes_128_cbc: return "aes-128-cbc";
    case NID_aes_192_cbc: return "aes-192-cbc";
    case NID_aes_256_cbc: return "aes-256-cbc";
    case NID_aes_128_gcm: return "aes-128-gcm";
    case NID_aes_192_gcm: return "aes-192-gcm";
    case NID_aes_256_gcm: return "aes-256-gcm";
    case NID_des_ede3_cbc: return "3des-cbc";
    case NID_des_cbc: return "des-cbc";
    case NID_rc2_cbc: return "rc2-cbc";
    case NID_rc2_40_cbc: return "rc2-40-cbc";
    case NID_rsaEncryption: return "rsa";
    case NID_rsassaPss: return "rsa-pss";
    case NID_X9_62_id_ecPublicKey: return "ecdsa";
    case NID_ecdsa_with_SHA256: return "ecdsa-with-sha256";
    case NID_ecdsa_with_SHA384: return "ecdsa-with-sha384";
    case NID_ecdsa_with_SHA512: return "ecdsa-with-sha512";
    case NID_sha256WithRSAEncryption: return "sha256-with-rsa";
    case NID_sha1WithRSAEncryption: return "sha1-with-rsa";
    case NID_dsa: return "dsa";
    case NID_dsaWithSHA1: return "dsa-with-sha1";
    case NID_ED25519: return "ed25519";
    case NID_chacha20_poly1305: return "chacha20-poly1305";
    case NID_undef: return "unknown";
    default: {
      const char* sn = OBJ_nid2sn(nid);
      return sn ? AsciiLower(sn) : "unknown";
    }
  }
}

bool IsLegacyDigestNid(int nid) { return nid == NID_sha1 || nid == NID_md5 || nid == NID_md4 || nid == NID_md2; }

bool IsLegacyCipherNid(int nid) {
  return nid == NID_des_ede3_cbc || nid == NID_des_cbc || nid == NID_rc2_cbc || nid == NID_rc2_40_cbc ||
         nid == NID_rc2_64_cbc;
}

}  // namespace sealpost::cms
