#pragma once
// Wall-clock and monotonic time in the units the inventory uses.

#include "netmap/base/error.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace netmap::base {

/// Microseconds since the Unix epoch (wall clock).
[[nodiscard]] std::int64_t now_unix_us() noexcept;
/// Monotonic nanoseconds, for durations and timeouts.
[[nodiscard]] std::int64_t monotonic_ns() noexcept;
/// The last instant RFC 3339's four-digit year can write: 9999-12-31T23:59:59.999999Z.
inline constexpr std::int64_t k_max_rfc3339_us = 253402300799999999;
/// True for a time format_rfc3339 writes and parse_rfc3339 reads back: from the epoch to year
/// 9999. Times from capture files are the files' to choose, so writers check before writing.
[[nodiscard]] constexpr bool rfc3339_representable(std::int64_t unix_us) noexcept {
  return unix_us >= 0 && unix_us <= k_max_rfc3339_us;
}
/// RFC 3339 UTC time with microseconds, e.g. 2026-11-28T10:00:00.000123Z; a time outside
/// rfc3339_representable() is written as the epoch.
[[nodiscard]] std::string format_rfc3339(std::int64_t unix_us);
/// Microseconds since the epoch of an RFC 3339 date-time ("2026-11-28T10:00:00.123Z",
/// "2026-11-28T12:00:00+02:00"; fraction optional, beyond 6 digits truncated): everything
/// format_rfc3339 writes, and offsets converted to UTC. A failure saying why: not that shape, a
/// date that does not exist (30 February), or a time outside rfc3339_representable() in UTC.
[[nodiscard]] Result<std::int64_t> parse_rfc3339(std::string_view text);

} // namespace netmap::base
