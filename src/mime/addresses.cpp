// SPDX-License-Identifier: Apache-2.0
// Address-list parsing with GMime's RFC 5322 parser.
#include "mime/addresses.h"

#include <algorithm>
#include <cctype>

#include "mime/internal/gobject_ptr.h"
#include "mime/internal/simple_address.h"

namespace sealpost::mime {
namespace {

using internal::GMime;
using internal::IsA;

// A dot-atom (RFC 5322 §3.2.3): no leading, trailing or doubled dot. Domains must be one, or
// "eve@example." would be an address that does not re-read as itself (found by fuzzing).
bool IsDotAtom(std::string_view s) {
  return !s.empty() && s.front() != '.' && s.back() != '.' && s.find("..") == std::string_view::npos;
}

std::vector<Mailbox> ParseWithGMime(const std::string& text);

// `address` in the form GMime gives it when it stands alone ("<address>"), or as it is if
// GMime reads no address there. GMime turns a lower-case A-label domain into its U-label,
// so both parse paths below must agree on it (found by fuzzing).
std::string AsReadAlone(const std::string& address) {
  auto alone = ParseWithGMime("<" + address + ">");
  return alone.size() == 1 && !alone[0].address.empty() ? alone[0].address : address;
}

void Collect(InternetAddressList* list, std::vector<Mailbox>& out, int depth) {
  if (!list || depth > 4) return;
  int n = GMime().internet_address_list_length(list);
  for (int i = 0; i < n; ++i) {
    InternetAddress* ia = GMime().internet_address_list_get_address(list, i);
    if (IsA(ia, GMime().internet_address_group_get_type())) {
      Collect(GMime().internet_address_group_get_members(reinterpret_cast<InternetAddressGroup*>(ia)), out, depth + 1);
      continue;
    }
    if (!IsA(ia, GMime().internet_address_mailbox_get_type())) continue;  // neither: not a mailbox
    Mailbox m;
    const char* name = GMime().internet_address_get_name(ia);
    m.display_name = name ? name : "";
    const char* addr = GMime().internet_address_mailbox_get_addr(reinterpret_cast<InternetAddressMailbox*>(ia));
    const std::string as_given = addr ? addr : "";
    m.address = as_given;
    std::transform(m.address.begin(), m.address.end(), m.address.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    // GMime turns an A-label domain into its U-label only when "xn--" is written in lower
    // case: an address that lower-casing changed is read once more alone, so a mailbox reads
    // the same however it was written ("a@Xn--kcc" vs "a@xn--kcc", found by fuzzing). The
    // second read sees lower case, so it does not come back here.
    if (m.address != as_given && m.address.find("xn--") != std::string::npos) m.address = AsReadAlone(m.address);
    // GMime turns a bare word into a mailbox with no '@'; that is a name, not an address.
    // GMime also keeps a CR inside a quoted local part: never an address either (R11).
    bool controls = std::any_of(m.address.begin(), m.address.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; });
    size_t at = m.address.rfind('@');
    if (at == std::string::npos || controls || !IsDotAtom(std::string_view(m.address).substr(at + 1))) m.address.clear();
    out.push_back(std::move(m));
  }
}

std::vector<Mailbox> ParseWithGMime(const std::string& text) {
  std::vector<Mailbox> out;
  InternetAddressList* list = GMime().internet_address_list_parse(nullptr, text.c_str());
  Collect(list, out, 0);
  if (list) GMime().g_object_unref(list);
  return out;
}

}  // namespace

std::vector<Mailbox> ParseAddressList(std::string_view value) {
  if (auto simple = internal::ParseSimpleMailbox(value)) return {std::move(*simple)};
  return internal::ParseAddressListWithGMime(value);
}

std::vector<Mailbox> internal::ParseAddressListWithGMime(std::string_view value) {
  internal::EnsureGMime();
  std::vector<Mailbox> out;
  // GMime reads a C string, so it stops at a NUL; the fallback below must see the same
  // text, or it would return names and addresses with NUL bytes in them (catalogue R11).
  std::string text(value.substr(0, value.find('\0')));
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) return out;
  out = ParseWithGMime(text);
  if (out.empty()) {
    // GMime gives up on some malformed display names ("a@b.example   . <eve@x.example>").
    // The angle-addr is still the address (RFC 5322 §3.4); the rest is only a name.
    size_t open = text.rfind('<');
    size_t close = text.rfind('>');
    if (open != std::string::npos && close != std::string::npos && open < close &&
        text.find('<') == open && text.find_first_not_of(" \t\r\n", close + 1) == std::string::npos) {
      Mailbox m;
      m.address = text.substr(open + 1, close - open - 1);
      std::transform(m.address.begin(), m.address.end(), m.address.begin(),
                     [](unsigned char c) { return std::tolower(c); });
      m.display_name = text.substr(0, open);
      // No RFC 5322 specials but '@' and '.', and no control characters (CR/LF in an
      // address is never an address, R11).
      bool controls = std::any_of(m.address.begin(), m.address.end(),
                                  [](unsigned char c) { return c < 0x20 || c == 0x7f; });
      size_t at = m.address.find('@');
      bool one_at = at != std::string::npos && at > 0 && at + 1 < m.address.size() && m.address.find('@', at + 1) == std::string::npos;
      bool dot_atoms = one_at && IsDotAtom(std::string_view(m.address).substr(0, at)) &&
                       IsDotAtom(std::string_view(m.address).substr(at + 1));
      if (dot_atoms && m.address.find_first_of(" ,;<>\"()[]:\\") == std::string::npos && !controls) {
        // The same mailbox reads the same whichever path parsed it ("eve@x.xn--ple" vs
        // "eve@x.ᔴ", found by fuzzing).
        m.address = AsReadAlone(m.address);
        out.push_back(std::move(m));
      }
    }
  }
  return out;
}

bool DisplayNameLooksLikeAddress(std::string_view name) {
  size_t at = name.find('@');
  return at != std::string_view::npos && at > 0 && name.find('.', at) != std::string_view::npos;
}

}  // namespace sealpost::mime
