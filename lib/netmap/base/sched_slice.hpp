#pragma once
// Asking the kernel's EEVDF scheduler for a short time slice for a server thread.

#include <cstdint>

namespace netmap::base {

/// The shortest slice Linux accepts (0.1 ms; its default is 0.75 ms times 1 + log2(CPUs)).
inline constexpr std::uint64_t k_short_slice_ns = 100'000;

/// Sets the calling thread's requested slice (Linux 6.12+, SCHED_OTHER threads, no privilege
/// needed). A thread that wakes for microseconds of work then runs ahead of long-running
/// processes on its CPU; fairness is unchanged. True when the kernel took it; false (nothing
/// changed) on older kernels or under another scheduling policy.
bool request_slice(std::uint64_t ns = k_short_slice_ns) noexcept;
/// The calling thread's slice as the kernel reports it; 0 when it reports none.
[[nodiscard]] std::uint64_t thread_slice_ns() noexcept;

} // namespace netmap::base
