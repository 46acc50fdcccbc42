#include "netmap/base/sched_slice.hpp"

#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace netmap::base {
namespace {

// The kernel's struct sched_attr (glibc 2.36 has no wrapper): sched_runtime is the slice EEVDF
// uses for a SCHED_OTHER thread since Linux 6.12, and is ignored by older kernels.
struct SchedAttr {
  std::uint32_t size;
  std::uint32_t policy;
  std::uint64_t flags;
  std::int32_t nice;
  std::uint32_t priority;
  std::uint64_t runtime;
  std::uint64_t deadline;
  std::uint64_t period;
};

bool get_attr(SchedAttr& attr) noexcept { return syscall(SYS_sched_getattr, 0, &attr, sizeof attr, 0) == 0; }

} // namespace

bool request_slice(std::uint64_t ns) noexcept {
  SchedAttr attr{};
  if (!get_attr(attr) || attr.policy != SCHED_OTHER) return false; // batch, idle, real-time: the user's choice
  attr.size = sizeof attr;
  attr.runtime = ns;
  return syscall(SYS_sched_setattr, 0, &attr, 0) == 0 && thread_slice_ns() == ns; // older kernels drop it
}

std::uint64_t thread_slice_ns() noexcept {
  SchedAttr attr{};
  return get_attr(attr) ? attr.runtime : 0;
}

} // namespace netmap::base
