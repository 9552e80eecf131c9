// SPDX-License-Identifier: Apache-2.0
// scrypt through EVP_KDF, AES-256-GCM through EVP, with every handle owned by RAII.
#include "keys/internal/crypto.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <climits>

#include "keys/internal/scratch_buffer.h"
#include "ossl/errors.h"
#include "ossl/handles.h"

namespace sealpost::keys::internal {
namespace {

// Not in ossl/handles.h yet; only this file uses them.
using EvpCipherCtxPtr = ossl::Handle<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>;
using EvpKdfPtr = ossl::Handle<EVP_KDF, EVP_KDF_free>;
using EvpKdfCtxPtr = ossl::Handle<EVP_KDF_CTX, EVP_KDF_CTX_free>;

const unsigned char* Bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

Result<EvpCipherCtxPtr> GcmContext(const SecretBytes& key, std::string_view nonce, bool encrypt) {
  if (key.size() != kKeySize || nonce.size() != kNonceSize)
    return Error(ErrorCode::kInternal, "AES-256-GCM called with a wrong key or nonce size");
  ossl::EvpCipherPtr cipher(EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr));
  EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!cipher || !ctx) return ossl::MakeError(ErrorCode::kInternal, "AES-256-GCM is not available");
  // The default IV length of AES-GCM in OpenSSL is already 12 bytes.
  if (EVP_CipherInit_ex2(ctx.get(), cipher.get(), key.data(), Bytes(nonce), encrypt ? 1 : 0, nullptr) != 1)
    return ossl::MakeError(ErrorCode::kInternal, "cannot initialise AES-256-GCM");
  return ctx;
}

Status AddAad(EVP_CIPHER_CTX* ctx, std::string_view aad) {
  int len = 0;
  if (aad.size() > INT_MAX || EVP_CipherUpdate(ctx, nullptr, &len, Bytes(aad), static_cast<int>(aad.size())) != 1)
    return ossl::MakeError(ErrorCode::kInternal, "AES-256-GCM rejected the associated data");
  return Ok();
}

}  // namespace

Result<std::string> RandomBytes(std::size_t size) {
  std::string out(size, '\0');
  if (size > INT_MAX || RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(size)) != 1)
    return ossl::MakeError(ErrorCode::kInternal, "the random number generator failed");
  return out;
}

Result<SecretBytes> RandomKey() {
  ScratchBuffer key(kKeySize);
  if (RAND_priv_bytes(key.data(), static_cast<int>(key.size())) != 1)
    return ossl::MakeError(ErrorCode::kInternal, "the random number generator failed");
  return key.ToSecret();
}

Result<SecretBytes> DeriveKey(const SecretBytes& passphrase, std::string_view salt, const KdfParams& params) {
  EvpKdfPtr kdf(EVP_KDF_fetch(nullptr, OSSL_KDF_NAME_SCRYPT, nullptr));
  if (!kdf) return ossl::MakeError(ErrorCode::kInternal, "scrypt is not available in this OpenSSL");
  EvpKdfCtxPtr ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) return ossl::MakeError(ErrorCode::kInternal, "cannot allocate the scrypt context");
  uint64_t n = params.n;
  uint32_t r = params.r;
  uint32_t p = params.p;
  // Room for our 1 GiB cap (ValidateKdfParams) plus scrypt's small extra buffers, stated
  // explicitly so that a different OpenSSL default cannot make valid vaults unopenable.
  uint64_t maxmem = (uint64_t{1} << 30) + (uint64_t{1} << 24);
  OSSL_PARAM ossl_params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, const_cast<std::uint8_t*>(passphrase.data()),
                                        passphrase.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char*>(salt.data()), salt.size()),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem),
      OSSL_PARAM_construct_end(),
  };
  ScratchBuffer key(kKeySize);
  if (EVP_KDF_derive(ctx.get(), key.data(), key.size(), ossl_params) != 1)
    return ossl::MakeError(ErrorCode::kInternal, "scrypt failed with " + ToString(params));
  return key.ToSecret();
}

Result<std::string> Seal(const SecretBytes& key, std::string_view nonce, std::string_view aad,
                         std::string_view plaintext) {
  ASSIGN_OR_RETURN(EvpCipherCtxPtr ctx, GcmContext(key, nonce, /*encrypt=*/true));
  RETURN_IF_ERROR(AddAad(ctx.get(), aad));
  if (plaintext.size() > INT_MAX - kTagSize) return Error(ErrorCode::kLimit, "the secret is too large to seal");
  std::string out(plaintext.size() + kTagSize, '\0');
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  int len = 0;
  int total = 0;
  if (EVP_EncryptUpdate(ctx.get(), dst, &len, Bytes(plaintext), static_cast<int>(plaintext.size())) != 1)
    return ossl::MakeError(ErrorCode::kInternal, "AES-256-GCM encryption failed");
  total = len;
  if (EVP_EncryptFinal_ex(ctx.get(), dst + total, &len) != 1)
    return ossl::MakeError(ErrorCode::kInternal, "AES-256-GCM encryption failed");
  total += len;
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagSize), dst + total) != 1)
    return ossl::MakeError(ErrorCode::kInternal, "cannot read the AES-256-GCM tag");
  out.resize(static_cast<std::size_t>(total) + kTagSize);
  return out;
}

Result<SecretBytes> Unseal(const SecretBytes& key, std::string_view nonce, std::string_view aad,
                           std::string_view sealed) {
  if (sealed.size() < kTagSize || sealed.size() > INT_MAX)
    return Error(ErrorCode::kIntegrity, "the sealed data is truncated");
  ASSIGN_OR_RETURN(EvpCipherCtxPtr ctx, GcmContext(key, nonce, /*encrypt=*/false));
  RETURN_IF_ERROR(AddAad(ctx.get(), aad));
  std::string_view ciphertext = sealed.substr(0, sealed.size() - kTagSize);
  std::string_view tag = sealed.substr(sealed.size() - kTagSize);
  // Plaintext lands in a wiped buffer and is released only after the tag checks.
  ScratchBuffer plain(ciphertext.size() + 16);
  int len = 0;
  if (EVP_DecryptUpdate(ctx.get(), plain.data(), &len, Bytes(ciphertext), static_cast<int>(ciphertext.size())) != 1)
    return ossl::MakeError(ErrorCode::kInternal, "AES-256-GCM decryption failed");
  int total = len;
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagSize), const_cast<char*>(tag.data())) !=
      1)
    return ossl::MakeError(ErrorCode::kInternal, "cannot set the AES-256-GCM tag");
  if (EVP_DecryptFinal_ex(ctx.get(), plain.data() + total, &len) != 1) {
    ossl::DrainErrors();
    return Error(ErrorCode::kIntegrity, "authentication tag mismatch");
  }
  total += len;
  plain.Truncate(static_cast<std::size_t>(total));
  return plain.ToSecret();
}

}  // namespace sealpost::keys::internal
