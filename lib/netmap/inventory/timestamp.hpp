#pragma once
// Times as inventories and events spell them: RFC 3339 (§5.6). netmap writes UTC with 'Z'; a
// reader also takes a numeric offset (a hand-made or third-party file) and converts it to UTC.

#include "netmap/base/error.hpp"

#include <cstdint>
#include <string_view>

namespace netmap::inventory {

/// Microseconds since the epoch of an RFC 3339 date-time ("2026-11-28T10:00:00.123Z",
/// "2026-11-28T12:00:00+02:00"; fraction optional, beyond 6 digits truncated). A failure saying
/// why: not that shape, a date that does not exist (30 February), or a time before the epoch or
/// after year 9999 once converted to UTC.
[[nodiscard]] base::Result<std::int64_t> parse_timestamp(std::string_view text);

} // namespace netmap::inventory
