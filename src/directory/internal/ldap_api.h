// SPDX-License-Identifier: Apache-2.0
// libldap and liblber, loaded on first use (see core/shared_library.h for why). Every call
// goes through Ldap().<function>, typed by <ldap.h> itself, so a mismatch is a compile error.
#pragma once

#include <lber.h>
#include <ldap.h>

#include "core/result.h"

namespace sealpost::directory::internal {

// Every libldap/liblber function the directory code calls.
#define SEALPOST_LDAP_FUNCTIONS(X)                                                                              \
  X(ldap_initialize) X(ldap_unbind_ext_s) X(ldap_set_option) X(ldap_get_option) X(ldap_connect)                 \
  X(ldap_start_tls_s) X(ldap_tls_inplace) X(ldap_sasl_bind_s) X(ldap_search_ext) X(ldap_result)                 \
  X(ldap_abandon_ext) X(ldap_msgtype) X(ldap_msgid) X(ldap_msgfree) X(ldap_parse_result) X(ldap_get_dn)         \
  X(ldap_first_attribute) X(ldap_next_attribute) X(ldap_get_values_len) X(ldap_value_free_len) X(ldap_memfree) \
  X(ldap_err2string) X(ldap_url_parse) X(ldap_free_urldesc) X(ldap_str2dn) X(ldap_dnfree) X(ber_free)           \
  X(ber_memvfree) X(ber_sockbuf_alloc) X(ber_sockbuf_free) X(ber_sockbuf_ctrl)

struct LdapApi {
#define SEALPOST_LDAP_MEMBER(name) decltype(&::name) name = nullptr;
  SEALPOST_LDAP_FUNCTIONS(SEALPOST_LDAP_MEMBER)
#undef SEALPOST_LDAP_MEMBER
};

// Loads the library once per process (thread-safe); later calls return the same answer.
// Entry points (endpoint parsing, handle creation) call it and pass its error on.
Result<const LdapApi*> LoadLdapApi();

// The loaded table. Only valid after LoadLdapApi succeeded; aborts with a message if not,
// since a call through a null pointer would be a crash with no explanation.
const LdapApi& Ldap();

}  // namespace sealpost::directory::internal
