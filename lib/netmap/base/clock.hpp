#pragma once
// Wall-clock and monotonic time in the units the inventory uses.

#include <cstdint>
#include <string>

namespace netmap::base {

/// Microseconds since the Unix epoch (wall clock).
[[nodiscard]] std::int64_t now_unix_us() noexcept;
/// Monotonic nanoseconds, for durations and timeouts.
[[nodiscard]] std::int64_t monotonic_ns() noexcept;
/// RFC 3339 UTC time with microseconds, e.g. 2026-11-28T10:00:00.000123Z.
[[nodiscard]] std::string format_rfc3339(std::int64_t unix_us);
/// Parses what format_rfc3339 writes (also without fraction); -1 when it is not such a time.
[[nodiscard]] std::int64_t parse_rfc3339(const std::string& text) noexcept;

} // namespace netmap::base
