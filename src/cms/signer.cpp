// SPDX-License-Identifier: Apache-2.0
// SignedData creation with OpenSSL's CMS API, adding the S/MIME attributes ourselves so
// the advertised capabilities are exactly the ones we can read.
#include "cms/signer.h"

#include <openssl/cms.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <memory>

#include "ossl/errors.h"
#include "ossl/handles.h"

namespace sealpost::cms {
namespace {

const EVP_MD* DigestMd(Digest d) {
  switch (d) {
    case Digest::kSha256: return EVP_sha256();
    case Digest::kSha384: return EVP_sha384();
    case Digest::kSha512: return EVP_sha512();
  }
  return EVP_sha256();
}

// RFC 8551 §2.5.2: in order of preference. Only algorithms we decrypt are listed.
Status AddCapabilities(CMS_SignerInfo* si) {
  STACK_OF(X509_ALGOR)* raw = nullptr;
  for (int nid : {NID_aes_256_gcm, NID_aes_128_gcm, NID_aes_256_cbc, NID_aes_128_cbc}) {
    if (!CMS_add_simple_smimecap(&raw, nid, -1)) {
      sk_X509_ALGOR_pop_free(raw, X509_ALGOR_free);
      return ossl::MakeError(ErrorCode::kInternal, "cannot build SMIMECapabilities");
    }
  }
  ossl::AlgorStackPtr algs(raw);
  if (!CMS_add_smimecap(si, algs.get())) return ossl::MakeError(ErrorCode::kInternal, "cannot add SMIMECapabilities");
  return Ok();
}

// SMIMEEncryptionKeyPreference ::= CHOICE { issuerAndSerialNumber [0] IssuerAndSerialNumber, ...}
// (RFC 8551 §2.5.3). Encoded by hand: [0] IMPLICIT SEQUENCE { issuer Name, serial INTEGER }.
Status AddEncryptionKeyPreference(CMS_SignerInfo* si, const pki::Certificate& enc) {
  unsigned char* name_der = nullptr;
  int name_len = i2d_X509_NAME(X509_get_issuer_name(enc.native()), &name_der);
  unsigned char* serial_der = nullptr;
  int serial_len = i2d_ASN1_INTEGER(X509_get0_serialNumber(enc.native()), &serial_der);
  if (name_len <= 0 || serial_len <= 0) {
    OPENSSL_free(name_der);
    OPENSSL_free(serial_der);
    return ossl::MakeError(ErrorCode::kInternal, "cannot encode the encryption certificate's issuer");
  }
  std::string body(reinterpret_cast<char*>(name_der), static_cast<size_t>(name_len));
  body.append(reinterpret_cast<char*>(serial_der), static_cast<size_t>(serial_len));
  OPENSSL_free(name_der);
  OPENSSL_free(serial_der);
  std::string der(1, '\xa0');
  size_t len = body.size();
  if (len < 0x80) {
    der += static_cast<char>(len);
  } else {
    std::string len_bytes;
    for (size_t l = len; l; l >>= 8) len_bytes.insert(len_bytes.begin(), static_cast<char>(l & 0xff));
    der += static_cast<char>(0x80 | len_bytes.size());
    der += len_bytes;
  }
  der += body;
  // V_ASN1_SEQUENCE-typed ANY values carry their full encoding, which lets us place the
  // context-tagged CHOICE as the attribute value.
  ASN1_STRING* value = ASN1_STRING_new();
  if (!value || !ASN1_STRING_set(value, der.data(), static_cast<int>(der.size()))) {
    ASN1_STRING_free(value);
    return ossl::MakeError(ErrorCode::kInternal, "cannot build SMIMEEncryptionKeyPreference");
  }
  ossl::X509AttributePtr attr(
      X509_ATTRIBUTE_create(NID_id_smime_aa_encrypKeyPref, V_ASN1_SEQUENCE, value));  // owns value on success
  if (!attr) {
    ASN1_STRING_free(value);
    return ossl::MakeError(ErrorCode::kInternal, "cannot build SMIMEEncryptionKeyPreference");
  }
  if (!CMS_signed_add1_attr(si, attr.get())) return ossl::MakeError(ErrorCode::kInternal, "cannot add SMIMEEncryptionKeyPreference");
  return Ok();
}

// A SignedData with our signer and signed attributes, content not yet digested.
Result<ossl::CmsPtr> StartSignedData(const pki::Certificate& cert, const pki::PrivateKey& key, const SignOptions& options,
                                     unsigned flags) {
  if (!key.Matches(cert)) return Error(ErrorCode::kInvalidArgument, "the signing key does not belong to the signing certificate");
  const bool is_rsa = EVP_PKEY_get_base_id(key.native()) == EVP_PKEY_RSA;
  if (options.rsa_pss && !is_rsa) return Error(ErrorCode::kInvalidArgument, "RSA-PSS needs an RSA signing key");

  ossl::X509StackPtr chain(sk_X509_new_null());
  for (const auto& c : options.chain) {
    X509_up_ref(c.native());
    sk_X509_push(chain.get(), c.native());
  }
  ossl::CmsPtr cms(CMS_sign(nullptr, nullptr, chain.get(), nullptr, flags));
  if (!cms) return ossl::MakeError(ErrorCode::kInternal, "cannot start SignedData");
  unsigned signer_flags = flags | (options.rsa_pss ? CMS_KEY_PARAM : 0);
  CMS_SignerInfo* si = CMS_add1_signer(cms.get(), cert.native(), key.native(), DigestMd(options.digest), signer_flags);
  if (!si) return ossl::MakeError(ErrorCode::kInternal, "cannot add the signer");
  if (options.rsa_pss) {
    EVP_PKEY_CTX* pctx = CMS_SignerInfo_get0_pkey_ctx(si);
    if (!pctx || EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) <= 0) {
      return ossl::MakeError(ErrorCode::kInternal, "cannot set RSA-PSS parameters");
    }
  }
  RETURN_IF_ERROR(AddCapabilities(si));
  if (options.encryption_cert && !(*options.encryption_cert == cert)) {
    RETURN_IF_ERROR(AddEncryptionKeyPreference(si, *options.encryption_cert));
  }
  return cms;
}

Result<std::string> ToDer(CMS_ContentInfo* cms) {
  unsigned char* der = nullptr;
  int len = i2d_CMS_ContentInfo(cms, &der);
  if (len <= 0) return ossl::MakeError(ErrorCode::kInternal, "cannot encode SignedData");
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

}  // namespace

Result<std::string> Sign(std::string_view content, const pki::Certificate& cert, const pki::PrivateKey& key,
                         const SignOptions& options) {
  unsigned flags = CMS_PARTIAL | CMS_BINARY | CMS_NOSMIMECAP;
  if (options.detached) flags |= CMS_DETACHED;
  ASSIGN_OR_RETURN(ossl::CmsPtr cms, StartSignedData(cert, key, options, flags));
  ossl::BioPtr in = ossl::MemBio(content.data(), content.size());
  if (!CMS_final(cms.get(), in.get(), nullptr, flags)) return ossl::MakeError(ErrorCode::kInternal, "signing failed");
  return ToDer(cms.get());
}

Result<std::string> SignStream(ByteSource& content, ByteSink* copy_to, const pki::Certificate& cert,
                               const pki::PrivateKey& key, const SignOptions& options) {
  if (!options.detached) return Error(ErrorCode::kInternal, "streamed signing makes detached signatures only");
  const unsigned flags = CMS_PARTIAL | CMS_BINARY | CMS_NOSMIMECAP | CMS_DETACHED | CMS_STREAM;
  ASSIGN_OR_RETURN(ossl::CmsPtr cms, StartSignedData(cert, key, options, flags));
  // Detached content: CMS_dataInit ends the digest chain in a null BIO.
  ossl::BioPtr chain(CMS_dataInit(cms.get(), nullptr));
  if (!chain) return ossl::MakeError(ErrorCode::kInternal, "cannot start signing");
  std::unique_ptr<char[]> buffer(new char[1 << 18]);
  for (;;) {
    ASSIGN_OR_RETURN(size_t n, content.Read(buffer.get(), 1 << 18));
    if (n == 0) break;
    if (BIO_write(chain.get(), buffer.get(), static_cast<int>(n)) != static_cast<int>(n))
      return ossl::MakeError(ErrorCode::kInternal, "signing failed");
    if (copy_to) RETURN_IF_ERROR(copy_to->Write(std::string_view(buffer.get(), n)));
  }
  if (BIO_flush(chain.get()) <= 0 || !CMS_dataFinal(cms.get(), chain.get()))
    return ossl::MakeError(ErrorCode::kInternal, "signing failed");
  return ToDer(cms.get());
}

}  // namespace sealpost::cms
