// SPDX-License-Identifier: Apache-2.0
// Exhaustive small inputs for differential tests: every string over `alphabet` of length 0
// to `max_length`, shortest first.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sealpost::mime::testing {

inline std::vector<std::string> AllStrings(std::string_view alphabet, size_t max_length) {
  std::vector<std::string> strings = {""};
  size_t previous_length_from = 0;  // where the strings one character shorter begin
  for (size_t length = 1; length <= max_length; ++length) {
    const size_t end = strings.size();
    for (size_t i = previous_length_from; i < end; ++i)
      for (char c : alphabet) strings.push_back(strings[i] + c);
    previous_length_from = end;
  }
  return strings;
}

}  // namespace sealpost::mime::testing
