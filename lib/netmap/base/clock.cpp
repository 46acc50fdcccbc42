#include "netmap/base/clock.hpp"

#include <cstdio>
#include <ctime>

namespace netmap::base {

std::int64_t now_unix_us() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return std::int64_t{ts.tv_sec} * 1000000 + ts.tv_nsec / 1000;
}

std::int64_t monotonic_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

std::string format_rfc3339(std::int64_t unix_us) {
  if (!rfc3339_representable(unix_us)) unix_us = 0; // gmtime_r fails, or the year needs five digits
  std::time_t secs = static_cast<std::time_t>(unix_us / 1000000);
  auto frac = static_cast<long>(unix_us % 1000000);
  if (frac < 0) {
    frac += 1000000;
    --secs;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
  return buf;
}

std::int64_t parse_rfc3339(const std::string& text) noexcept {
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6)
    return -1;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  std::int64_t frac = 0;
  std::size_t i = static_cast<std::size_t>(consumed);
  if (i < text.size() && text[i] == '.') {
    int digits = 0;
    for (++i; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      if (digits < 6) {
        frac = frac * 10 + (text[i] - '0');
        ++digits;
      }
    }
    for (; digits < 6; ++digits) frac *= 10;
  }
  if (i >= text.size() || text[i] != 'Z') return -1;
  return std::int64_t{timegm(&tm)} * 1000000 + frac;
}

} // namespace netmap::base
