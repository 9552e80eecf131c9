// SPDX-License-Identifier: Apache-2.0
// One search's messages: entries within the caps, references counted, the final result read.
#include "directory/internal/ldap_pending_search.h"

#include "directory/internal/ldap_entry_reader.h"
#include "directory/internal/ldap_errors.h"

namespace sealpost::directory::internal {
namespace {

Error TooManyEntries(const LdapConfig& config) {
  return Error(ErrorCode::kLimit, "more than " + std::to_string(config.max_entries) +
                                      " directory entries match; narrow ldap_search_filter or ldap_base_dn");
}

}  // namespace

PendingSearch::Step PendingSearch::Finish(Result<Entries> outcome, Step step) {
  outcome_ = std::move(outcome);
  return step;
}

PendingSearch::Step PendingSearch::Take(LDAP* ld, LDAPMessage* message) {
  switch (Ldap().ldap_msgtype(message)) {
    case LDAP_RES_SEARCH_ENTRY: {
      // The server was asked for at most max_entries; this also holds one that ignores it.
      if (static_cast<int>(entries_.size()) >= config_->max_entries) {
        return Finish(TooManyEntries(*config_), Step::kAbandon);
      }
      auto entry = ReadEntry(ld, message, *config_, total_bytes_, *certificates_);
      if (!entry) return Finish(std::move(entry).error(), Step::kAbandon);
      entries_.push_back(std::move(entry).value());
      return Step::kMore;
    }
    case LDAP_RES_SEARCH_REFERENCE:
      // RFC 4511 §4.5.3 continuation references are not followed (catalogue L11; AD sends
      // them for its DNS and configuration partitions). They count toward the entry cap
      // so that an endless stream of them is bounded too.
      if (++references_ > config_->max_entries) {
        return Finish(Error(ErrorCode::kLimit, "the directory " + endpoint_->url + " sent more than " +
                                                   std::to_string(config_->max_entries) + " referrals"),
                      Step::kAbandon);
      }
      return Step::kMore;
    case LDAP_RES_SEARCH_RESULT: {
      int result = LDAP_OTHER;
      const int rc = Ldap().ldap_parse_result(ld, message, &result, nullptr, nullptr, nullptr, nullptr, 0);
      if (rc != LDAP_SUCCESS) return Finish(LdapError(ld, rc, LdapStep::kSearch, *endpoint_), Step::kAbandon);
      if (result == LDAP_SIZELIMIT_EXCEEDED) return Finish(TooManyEntries(*config_), Step::kDone);
      if (result != LDAP_SUCCESS) return Finish(LdapError(ld, result, LdapStep::kSearch, *endpoint_), Step::kDone);
      return Finish(std::move(entries_), Step::kDone);
    }
    default:
      return Step::kMore;  // intermediate responses and the like belong to nothing we asked
  }
}

}  // namespace sealpost::directory::internal
