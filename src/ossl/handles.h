// SPDX-License-Identifier: Apache-2.0
// One unique_ptr alias per OpenSSL handle type, with the right free function (after
// Tink's ssl_unique_ptr.h). Every handle is owned the moment it is created.
#pragma once

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <memory>
#include <string>

namespace sealpost::ossl {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { if (p) Free(p); }
};

template <typename T, void (*Free)(T*)>
using Handle = std::unique_ptr<T, Deleter<T, Free>>;

inline void FreeX509Stack(STACK_OF(X509)* s) { sk_X509_pop_free(s, X509_free); }
inline void FreeAlgorStack(STACK_OF(X509_ALGOR)* s) { sk_X509_ALGOR_pop_free(s, X509_ALGOR_free); }
inline void FreeBioChain(BIO* b) { BIO_free_all(b); }
inline void FreeGeneralNames(GENERAL_NAMES* g) { GENERAL_NAMES_free(g); }

using X509Ptr = Handle<X509, X509_free>;
using X509NamePtr = Handle<X509_NAME, X509_NAME_free>;
using X509StackPtr = Handle<STACK_OF(X509), FreeX509Stack>;
using X509StorePtr = Handle<X509_STORE, X509_STORE_free>;
using X509StoreCtxPtr = Handle<X509_STORE_CTX, X509_STORE_CTX_free>;
using X509CrlPtr = Handle<X509_CRL, X509_CRL_free>;
using EvpPkeyPtr = Handle<EVP_PKEY, EVP_PKEY_free>;
using EvpPkeyCtxPtr = Handle<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using EvpMdCtxPtr = Handle<EVP_MD_CTX, EVP_MD_CTX_free>;
using EvpCipherPtr = Handle<EVP_CIPHER, EVP_CIPHER_free>;
using EvpMdPtr = Handle<EVP_MD, EVP_MD_free>;
using CmsPtr = Handle<CMS_ContentInfo, CMS_ContentInfo_free>;
using BioPtr = Handle<BIO, FreeBioChain>;
using AlgorStackPtr = Handle<STACK_OF(X509_ALGOR), FreeAlgorStack>;
using GeneralNamesPtr = Handle<GENERAL_NAMES, FreeGeneralNames>;
using Asn1TypePtr = Handle<ASN1_TYPE, ASN1_TYPE_free>;
using X509AttributePtr = Handle<X509_ATTRIBUTE, X509_ATTRIBUTE_free>;
using Asn1TimePtr = Handle<ASN1_TIME, ASN1_TIME_free>;
using Asn1OctetStringPtr = Handle<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>;
using Asn1IntegerPtr = Handle<ASN1_INTEGER, ASN1_INTEGER_free>;
using Asn1StringPtr = Handle<ASN1_STRING, ASN1_STRING_free>;

// Takes a new reference on `cert` and returns an owning pointer to it.
inline X509Ptr UpRef(X509* cert) {
  if (cert) X509_up_ref(cert);
  return X509Ptr(cert);
}
inline EvpPkeyPtr UpRef(EVP_PKEY* key) {
  if (key) EVP_PKEY_up_ref(key);
  return EvpPkeyPtr(key);
}

// A read-only memory BIO over `data`; the data must outlive the BIO.
inline BioPtr MemBio(const void* data, size_t size) {
  return BioPtr(BIO_new_mem_buf(data, static_cast<int>(size)));
}

// What a memory BIO holds; empty for a null BIO (BIO_new failed) or an empty one, where
// BIO_get_mem_data gives a null pointer and a length of 0 or -1.
inline std::string MemBioContents(BIO* bio) {
  char* data = nullptr;
  long len = bio ? BIO_get_mem_data(bio, &data) : 0;
  return data && len > 0 ? std::string(data, static_cast<size_t>(len)) : std::string();
}

}  // namespace sealpost::ossl
