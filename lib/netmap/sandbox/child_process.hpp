#pragma once
// Runs a command in its own process group: signals netmap receives are forwarded to the whole
// group, the exit status comes back in the shell's convention, and nothing of the group outlives
// the ChildProcess object.

#include "netmap/base/fd.hpp"

#include <sys/types.h>

#include <array>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace netmap::sandbox {

/// Runs in the forked child before exec. Returns an empty string on success, otherwise the reason
/// (the child then exits 127 without exec'ing, and spawn() throws with that reason). Only the
/// child runs it: no other thread exists there, so it may unshare(), mount and configure sockets.
using PreExecHook = std::function<std::string()>;

/// What to run and how.
struct ChildSpec {
  std::vector<std::string> argv;                  ///< argv[0] is searched in PATH (of `env`, if given)
  std::optional<std::vector<std::string>> env;    ///< "K=V" entries; nullopt inherits netmap's environment
  PreExecHook pre_exec;                           ///< optional; see PreExecHook
  std::array<int, 3> stdio{-1, -1, -1};           ///< fds dup2'ed onto 0, 1, 2 in the child; -1 inherits
  bool forward_signals = true;                    ///< forward SIGINT/SIGTERM/SIGHUP to the group while waiting
};

/// How a child ended.
struct ExitStatus {
  int code = 0;    ///< exit code, or 128 + signal when it was killed (the shell's convention)
  int signal = 0;  ///< the killing signal, 0 when it exited
  /// The shell's convention: code, or 128 + signal.
  [[nodiscard]] int shell_code() const noexcept { return code; }
};

/// A running command in its own process group (pgid == pid). Move-only. Destroying a ChildProcess
/// that was not waited for kills the whole group with SIGKILL and reaps the child.
class ChildProcess {
public:
  /// Forks, runs spec.pre_exec in the child, puts it in a new process group and execs spec.argv.
  /// Throws base::UserError when fork fails, the hook fails or the command cannot be exec'd (the
  /// message names the command and the reason, e.g. "No such file or directory").
  [[nodiscard]] static ChildProcess spawn(const ChildSpec& spec);

  ChildProcess() noexcept = default;
  ChildProcess(ChildProcess&& o) noexcept;
  ChildProcess& operator=(ChildProcess&& o) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  /// The child's pid (also its process group id); -1 when none.
  [[nodiscard]] pid_t pid() const noexcept { return m_pid; }
  /// True until the child has been reaped.
  [[nodiscard]] bool running() const noexcept { return m_pid > 0 && !m_status; }

  /// Blocks until the child exits, forwarding SIGINT/SIGTERM/SIGHUP that netmap receives meanwhile
  /// to the child's process group (when spec.forward_signals). Then kills what is left of the group
  /// (SIGKILL) so no process outlives the run. Returns the child's status; idempotent.
  ExitStatus wait();
  /// Like wait() but returns at once: nothing while the child still runs.
  [[nodiscard]] std::optional<ExitStatus> try_wait();
  /// Like try_wait() after sleeping until the child exits, a signal arrives or `timeout_ms` pass,
  /// whichever comes first (a pidfd; a plain sleep where the kernel has none).
  [[nodiscard]] std::optional<ExitStatus> wait_for(int timeout_ms);
  /// Sends `sig` to the whole process group (no-op once reaped and the group is gone).
  void signal_group(int sig) noexcept;
  /// SIGTERM to the group, up to `grace_ms` for the child to exit, then SIGKILL; returns its status.
  ExitStatus terminate(int grace_ms = 2000);

  /// The last signal forwarded to a child group by any ChildProcess::wait(), 0 if none.
  [[nodiscard]] static int last_forwarded_signal() noexcept;

private:
  ChildProcess(pid_t pid, bool forward) noexcept;
  void reap(int raw_status);

  pid_t m_pid = -1;
  bool m_forward = true;
  std::optional<ExitStatus> m_status;
  base::Fd m_exited; // a pidfd, readable once the child has exited; empty where the kernel has none
};

/// Decodes a waitpid() status into the shell's convention (exit code, or 128 + signal).
[[nodiscard]] ExitStatus decode_wait_status(int raw_status) noexcept;

} // namespace netmap::sandbox
