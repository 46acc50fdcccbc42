#include "netmap/sandbox/child_process.hpp"

#include "netmap/base/error.hpp"
#include "netmap/base/fd.hpp"
#include "netmap/base/fd_limit.hpp"
#include "netmap/base/text.hpp"

#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <utility>

namespace netmap::sandbox {

namespace {

constexpr std::array<int, 3> k_forwarded{SIGINT, SIGTERM, SIGHUP};

// One group receives forwarded signals at a time: the handler must be async-signal-safe, so it
// reads a lock-free atomic instead of any container.
std::atomic<pid_t> g_target_pgid{0};
std::atomic<int> g_last_forwarded{0};
struct sigaction g_saved[3];
std::atomic<bool> g_installed{false};

void child_group_forward_signal(int sig) {
  const int saved_errno = errno;
  pid_t pg = g_target_pgid.load();
  if (pg > 0) ::kill(-pg, sig);
  g_last_forwarded.store(sig);
  errno = saved_errno;
}

void install_forwarding(pid_t pgid) {
  g_target_pgid.store(pgid);
  if (g_installed.exchange(true)) return;
  struct sigaction sa {};
  sa.sa_handler = child_group_forward_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0; // no SA_RESTART: waitpid() sees EINTR and loops, which is what we want
  for (std::size_t i = 0; i < k_forwarded.size(); ++i) ::sigaction(k_forwarded[i], &sa, &g_saved[i]);
}

void remove_forwarding(pid_t pgid) {
  pid_t expected = pgid;
  if (!g_target_pgid.compare_exchange_strong(expected, 0)) return; // another child took over
  if (!g_installed.exchange(false)) return;
  for (std::size_t i = 0; i < k_forwarded.size(); ++i) ::sigaction(k_forwarded[i], &g_saved[i], nullptr);
}

// Writes the whole message to the error pipe; the child uses only write() and _exit() after a
// failure so that a half-initialized child cannot deadlock.
void child_fail(int fd, const std::string& why) {
  const char* p = why.data();
  std::size_t left = why.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  ::_exit(127);
}

[[noreturn]] void run_child(const ChildSpec& spec, int err_fd) {
  ::setpgid(0, 0);
  // Dispositions netmap set to "ignore" (SIGPIPE) survive exec; the command must start clean.
  for (int s : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD}) ::signal(s, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  base::restore_fd_limit(); // netmap raised its own for its servers; the command gets the usual one
  if (spec.pre_exec) {
    std::string why = spec.pre_exec();
    if (!why.empty()) child_fail(err_fd, why);
  }
  for (int i = 0; i < 3; ++i) {
    int fd = spec.stdio[static_cast<std::size_t>(i)];
    if (fd >= 0 && fd != i && ::dup2(fd, i) < 0) child_fail(err_fd, std::string("dup2: ") + std::strerror(errno));
  }
  std::vector<char*> argv;
  for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  if (spec.env) {
    for (const auto& e : *spec.env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    ::execvpe(argv[0], argv.data(), envp.data());
  } else {
    ::execvp(argv[0], argv.data());
  }
  child_fail(err_fd, std::string("exec: ") + std::strerror(errno));
  ::_exit(127);
}

std::string read_all(int fd) {
  std::string out;
  char buf[512];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > 4096) break;
  }
  return out;
}

} // namespace

ExitStatus decode_wait_status(int raw_status) noexcept {
  ExitStatus s;
  if (WIFEXITED(raw_status)) {
    s.code = WEXITSTATUS(raw_status);
  } else if (WIFSIGNALED(raw_status)) {
    s.signal = WTERMSIG(raw_status);
    s.code = 128 + s.signal;
  }
  return s;
}

ChildProcess ChildProcess::spawn(const ChildSpec& spec) {
  if (spec.argv.empty() || spec.argv[0].empty()) throw base::UserError("no command to run", "put the command after '--'");
  int pfd[2];
  if (::pipe2(pfd, O_CLOEXEC) != 0) throw base::UserError(std::string("cannot create a pipe: ") + std::strerror(errno));
  base::Fd rd(pfd[0]), wr(pfd[1]);
  pid_t pid = ::fork();
  if (pid < 0) throw base::UserError(std::string("cannot fork: ") + std::strerror(errno));
  if (pid == 0) {
    rd.reset();
    run_child(spec, wr.get());
  }
  // Both sides call setpgid so that the group exists before either one relies on it.
  ::setpgid(pid, pid);
  if (spec.forward_signals) install_forwarding(pid);
  ChildProcess child(pid, spec.forward_signals);
  wr.reset();
  std::string why = read_all(rd.get()); // EOF means exec succeeded (the pipe is close-on-exec)
  if (!why.empty()) {
    child.wait();
    const std::string cmd = base::escape_bytes(spec.argv[0]);
    if (why.rfind("exec: ", 0) == 0)
      throw base::UserError("cannot run '" + cmd + "': " + why.substr(6),
                            why.find(std::strerror(ENOENT)) != std::string::npos ? "is it installed and on PATH?" : std::string());
    throw base::UserError("cannot start '" + cmd + "': " + why);
  }
  return child;
}

// The pid stays ours until we reap it, so the pidfd cannot come to name a recycled process.
ChildProcess::ChildProcess(pid_t pid, bool forward) noexcept
    : m_pid(pid), m_forward(forward), m_exited(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0))) {}

ChildProcess::ChildProcess(ChildProcess&& o) noexcept
    : m_pid(std::exchange(o.m_pid, -1)), m_forward(o.m_forward), m_status(std::move(o.m_status)),
      m_exited(std::move(o.m_exited)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& o) noexcept {
  if (this != &o) {
    if (running()) terminate(0);
    m_pid = std::exchange(o.m_pid, -1);
    m_forward = o.m_forward;
    m_status = std::move(o.m_status);
    m_exited = std::move(o.m_exited);
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  if (running()) terminate(0);
}

void ChildProcess::reap(int raw_status) {
  m_status = decode_wait_status(raw_status);
  m_exited.reset();
  // The leader is gone; whatever it left in its group goes with it.
  ::kill(-m_pid, SIGKILL);
  if (m_forward) remove_forwarding(m_pid);
}

ExitStatus ChildProcess::wait() {
  if (m_status || m_pid <= 0) return m_status.value_or(ExitStatus{});
  for (;;) {
    int st = 0;
    pid_t r = ::waitpid(m_pid, &st, 0);
    if (r == m_pid) {
      reap(st);
      break;
    }
    if (r < 0 && errno != EINTR) {
      m_status = ExitStatus{};
      ::kill(-m_pid, SIGKILL);
      if (m_forward) remove_forwarding(m_pid);
      break;
    }
  }
  return *m_status;
}

std::optional<ExitStatus> ChildProcess::try_wait() {
  if (m_status || m_pid <= 0) return m_status;
  int st = 0;
  pid_t r = ::waitpid(m_pid, &st, WNOHANG);
  if (r == m_pid) reap(st);
  return m_status;
}

std::optional<ExitStatus> ChildProcess::wait_for(int timeout_ms) {
  if (m_status || m_pid <= 0) return m_status;
  if (m_exited) {
    pollfd p{m_exited.get(), POLLIN, 0};
    (void)::poll(&p, 1, timeout_ms); // EINTR too: the caller looks at what the signal asked
  } else {
    struct timespec ts {timeout_ms / 1000, (timeout_ms % 1000) * 1'000'000L};
    ::nanosleep(&ts, nullptr);
  }
  return try_wait();
}

void ChildProcess::signal_group(int sig) noexcept {
  if (m_pid > 0) ::kill(-m_pid, sig);
}

ExitStatus ChildProcess::terminate(int grace_ms) {
  if (!running()) return wait();
  signal_group(SIGTERM);
  for (int waited = 0; waited < grace_ms; waited += 10)
    if (wait_for(10)) return *m_status;
  signal_group(SIGKILL);
  return wait();
}

int ChildProcess::last_forwarded_signal() noexcept { return g_last_forwarded.load(); }

} // namespace netmap::sandbox
