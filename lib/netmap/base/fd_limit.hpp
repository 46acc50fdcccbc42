#pragma once
// The soft limit on open files: raised for netmap's own servers (a proxy holds two fds per
// tunnel and four more once it splices), put back for the commands netmap runs.

#include <cstdint>

namespace netmap::base {

/// Raises the soft RLIMIT_NOFILE to the hard limit (at most 1M) and remembers the one it found.
void raise_fd_limit() noexcept;
/// Puts back the soft limit raise_fd_limit found (async-signal-safe, for a child before exec):
/// programs that select() or walk every possible fd expect the usual one. No-op if not raised.
void restore_fd_limit() noexcept;

/// True when accept(2) failed with `err` for want of fds or kernel memory. The connection stays
/// queued and the listener readable, so a loop that keeps watching it spins: stop watching the
/// listeners for k_accept_pause_ns instead.
[[nodiscard]] bool accept_starved(int err) noexcept;
/// How long a server leaves its listeners unwatched after accept_starved().
inline constexpr std::int64_t k_accept_pause_ns = 100'000'000;

} // namespace netmap::base
