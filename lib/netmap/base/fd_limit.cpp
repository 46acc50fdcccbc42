#include "netmap/base/fd_limit.hpp"

#include <sys/resource.h>

#include <cerrno>

namespace netmap::base {

namespace {
// Written once at startup, before any thread or child exists; read by children after fork.
rlimit g_found{};
bool g_raised = false;
constexpr rlim_t k_most = rlim_t{1} << 20; // the kernel's default fs.nr_open
} // namespace

void raise_fd_limit() noexcept {
  rlimit now{};
  if (::getrlimit(RLIMIT_NOFILE, &now) != 0) return;
  rlim_t want = now.rlim_max == RLIM_INFINITY || now.rlim_max > k_most ? k_most : now.rlim_max;
  if (now.rlim_cur != RLIM_INFINITY && now.rlim_cur >= want) return;
  rlimit raised = now;
  raised.rlim_cur = want;
  if (::setrlimit(RLIMIT_NOFILE, &raised) != 0) return;
  if (!g_raised) g_found = now;
  g_raised = true;
}

void restore_fd_limit() noexcept {
  if (g_raised) ::setrlimit(RLIMIT_NOFILE, &g_found);
}

bool accept_starved(int err) noexcept { return err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM; }

} // namespace netmap::base
