#pragma once
// Ctrl-C and SIGTERM become a flag that long runs poll, so they can still write a complete result.

#include <atomic>

namespace netmap::base {

/// Installs SIGINT/SIGTERM handlers (without SA_RESTART) that set the stop flag; idempotent.
void install_stop_handlers();
/// True once SIGINT or SIGTERM arrived (or request_stop was called).
[[nodiscard]] bool stop_requested() noexcept;
/// The signal that asked to stop, 0 if none.
[[nodiscard]] int stop_signal() noexcept;
/// Sets the stop flag from inside the program (tests, a child that exited).
void request_stop(int sig = 0) noexcept;
/// Clears the flag (tests only).
void reset_stop() noexcept;

} // namespace netmap::base
