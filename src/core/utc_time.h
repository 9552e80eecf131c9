// SPDX-License-Identifier: Apache-2.0
// A UTC calendar date and time as seconds since the epoch (fields already range-checked by
// the caller's parser).
#pragma once

#include <ctime>

namespace sealpost {

inline std::time_t UtcSeconds(int year, int month, int day, int hour, int minute, int second) {
  struct tm tm {};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return timegm(&tm);
}

}  // namespace sealpost
