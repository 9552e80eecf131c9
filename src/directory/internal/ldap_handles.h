// SPDX-License-Identifier: Apache-2.0
// One unique_ptr alias per libldap/liblber handle type, each with its own free function.
#pragma once

#include "directory/internal/ldap_api.h"

#include <memory>

namespace sealpost::directory::internal {

template <typename T, void (*Free)(T*)>
struct LdapDeleter {
  void operator()(T* p) const {
    if (p) Free(p);
  }
};

template <typename T, void (*Free)(T*)>
using LdapHandle = std::unique_ptr<T, LdapDeleter<T, Free>>;

// ldap_unbind_ext_s frees the handle whether or not a connection was ever opened.
inline void UnbindLdap(LDAP* ld) { Ldap().ldap_unbind_ext_s(ld, nullptr, nullptr); }
inline void FreeLdapMessage(LDAPMessage* msg) { Ldap().ldap_msgfree(msg); }
inline void FreeBervals(berval** values) { Ldap().ldap_value_free_len(values); }
// The BerElement of ldap_first_attribute: its buffer belongs to the message (freebuf = 0).
inline void FreeBerElement(BerElement* ber) { Ldap().ber_free(ber, 0); }
inline void FreeLdapString(char* s) { Ldap().ldap_memfree(s); }
inline void FreeLdapStrings(char** strings) { Ldap().ber_memvfree(reinterpret_cast<void**>(strings)); }
inline void FreeLdapUrl(LDAPURLDesc* url) { Ldap().ldap_free_urldesc(url); }

using LdapPtr = LdapHandle<LDAP, UnbindLdap>;
using LdapMessagePtr = LdapHandle<LDAPMessage, FreeLdapMessage>;
using BervalsPtr = LdapHandle<berval*, FreeBervals>;
using BerElementPtr = LdapHandle<BerElement, FreeBerElement>;
using LdapStringPtr = LdapHandle<char, FreeLdapString>;
using LdapStringsPtr = LdapHandle<char*, FreeLdapStrings>;
using LdapUrlPtr = LdapHandle<LDAPURLDesc, FreeLdapUrl>;

}  // namespace sealpost::directory::internal
