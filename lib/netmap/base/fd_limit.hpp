#pragma once
// The soft limit on open files: raised for netmap's own servers (a proxy holds two fds per
// tunnel and four more once it splices), put back for the commands netmap runs.

namespace netmap::base {

/// Raises the soft RLIMIT_NOFILE to the hard limit (at most 1M) and remembers the one it found.
void raise_fd_limit() noexcept;
/// Puts back the soft limit raise_fd_limit found (async-signal-safe, for a child before exec):
/// programs that select() or walk every possible fd expect the usual one. No-op if not raised.
void restore_fd_limit() noexcept;

} // namespace netmap::base
