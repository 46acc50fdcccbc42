#include "netmap/base/interrupt.hpp"

#include <csignal>

namespace netmap::base {

namespace {
std::atomic<int> g_stop_signal{0};
std::atomic<bool> g_stop{false};

extern "C" void on_stop_signal(int sig) {
  g_stop_signal.store(sig);
  g_stop.store(true);
}
} // namespace

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0; // no SA_RESTART: blocking calls return EINTR so loops notice the flag
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

bool stop_requested() noexcept { return g_stop.load(std::memory_order_relaxed); }
int stop_signal() noexcept { return g_stop_signal.load(); }
void request_stop(int sig) noexcept {
  g_stop_signal.store(sig);
  g_stop.store(true);
}
void reset_stop() noexcept {
  g_stop.store(false);
  g_stop_signal.store(0);
}

} // namespace netmap::base
