#include "netmap/base/clock.hpp"

#include <cstdio>
#include <string>
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

namespace {

// Reads exactly `n` digits at `pos`; -1 when any is not a digit.
int digits(std::string_view s, std::size_t pos, std::size_t n) {
  if (pos + n > s.size()) return -1;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static constexpr int k_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : k_days[m - 1];
}

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (H. Hinnant's
// days_from_civil), so that no time zone or timegm normalisation is involved.
std::int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * static_cast<unsigned>(m > 2 ? m - 3 : m + 9) + 2) / 5 + static_cast<unsigned>(d) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

} // namespace

// Strict where a lenient reader would move 30 February to 2 March: inventories travel between
// jobs, and a time that does not exist is a damaged file.

Result<std::int64_t> parse_rfc3339(std::string_view s) {
  using R = Result<std::int64_t>;
  const R shape = R::failure("not an RFC 3339 time");
  // date-time = full-date "T" full-time; "T" and "Z" may be lower case (RFC 3339 §5.6 NOTE).
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
    return shape;
  const int year = digits(s, 0, 4), month = digits(s, 5, 2), day = digits(s, 8, 2);
  const int hour = digits(s, 11, 2), minute = digits(s, 14, 2), second = digits(s, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return shape;
  std::size_t i = 19;
  std::int64_t frac = 0;
  if (s[i] == '.') {
    int n = 0;
    for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++n)
      if (n < 6) frac = frac * 10 + (s[i] - '0');
    if (n == 0) return shape;
    for (; n < 6; ++n) frac *= 10;
  }
  std::int64_t offset_min = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i + 6 == s.size() && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
    const int oh = digits(s, i + 1, 2), om = digits(s, i + 4, 2);
    if (oh < 0 || om < 0) return shape;
    if (oh > 23 || om > 59) return R::failure("its offset is out of range");
    offset_min = (s[i] == '-' ? -1 : 1) * (oh * 60 + om);
    i += 6;
  } else {
    return shape;
  }
  if (i != s.size()) return shape;
  if (month < 1 || month > 12) return R::failure("month " + std::to_string(month) + " does not exist");
  if (day < 1 || day > days_in_month(year, month))
    return R::failure("day " + std::to_string(day) + " does not exist in " + std::string(s.substr(0, 7)));
  // A leap second (:60) is a valid RFC 3339 time; it counts as the next minute's first second.
  if (hour > 23 || minute > 59 || second > 60) return R::failure("the time of day is out of range");
  const std::int64_t secs = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset_min * 60;
  const std::int64_t us = secs * 1000000 + frac;
  if (!rfc3339_representable(us)) return R::failure("it lies before 1970 or after year 9999 in UTC");
  return us;
}

} // namespace netmap::base
