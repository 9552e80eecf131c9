// SPDX-License-Identifier: Apache-2.0
// Private key parsing through OpenSSL's decoder (PEM or DER, any supported type).
#include "pki/private_key.h"

#include <openssl/pem.h>
#include <openssl/x509.h>

#include <utility>

#include "ossl/errors.h"
#include "ossl/handles.h"

namespace sealpost::pki {

Result<PrivateKey> PrivateKey::Parse(std::string_view bytes) {
  ossl::BioPtr bio = ossl::MemBio(bytes.data(), bytes.size());
  // An empty passphrase callback: encrypted PEM keys fail instead of prompting on a TTY.
  auto no_prompt = [](char*, int, int, void*) -> int { return 0; };
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, no_prompt, nullptr);
  if (!key) {
    ossl::DrainErrors();
    const unsigned char* p = reinterpret_cast<const unsigned char*>(bytes.data());
    key = d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(bytes.size()));
  }
  if (!key) return ossl::MakeError(ErrorCode::kMalformed, "not an unencrypted private key (PEM or DER)");
  ossl::DrainErrors();
  return PrivateKey(key);
}

PrivateKey PrivateKey::FromNative(evp_pkey_st* key) {
  EVP_PKEY_up_ref(key);
  return PrivateKey(key);
}

PrivateKey::PrivateKey(const PrivateKey& other) : key_(other.key_) { EVP_PKEY_up_ref(key_); }
PrivateKey& PrivateKey::operator=(const PrivateKey& other) {
  if (this != &other) {
    EVP_PKEY_up_ref(other.key_);
    EVP_PKEY_free(key_);
    key_ = other.key_;
  }
  return *this;
}
PrivateKey::PrivateKey(PrivateKey&& other) noexcept : key_(other.key_) { other.key_ = nullptr; }
PrivateKey& PrivateKey::operator=(PrivateKey&& other) noexcept {
  std::swap(key_, other.key_);
  return *this;
}
PrivateKey::~PrivateKey() { EVP_PKEY_free(key_); }

Result<SecretBytes> PrivateKey::ExportPkcs8Pem(KeyExportToken) const {
  ossl::BioPtr bio(BIO_new(BIO_s_secmem()));
  if (!bio || !PEM_write_bio_PrivateKey(bio.get(), key_, nullptr, nullptr, 0, nullptr, nullptr))
    return ossl::MakeError(ErrorCode::kInternal, "cannot encode the private key");
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return SecretBytes(std::string_view(data, static_cast<size_t>(len)));
}

bool PrivateKey::Matches(const Certificate& cert) const {
  bool ok = X509_check_private_key(cert.native(), key_) == 1;
  ossl::DrainErrors();
  return ok;
}

}  // namespace sealpost::pki
