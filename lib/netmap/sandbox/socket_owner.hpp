#pragma once
// Which fenced process made a connection: the client's port → the socket's inode in the fence's
// /proc/<pid>/net/{tcp,tcp6,udp,udp6} → the process holding "socket:[inode]" among the processes
// of the fence's network namespace. As Copilot's firewall names the "triggering command".

#include <atomic>
#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace netmap::sandbox {

/// A process found to own a socket.
struct SocketOwner {
  std::int64_t pid = 0;
  std::string command; ///< its command line, arguments joined by spaces, non-printables escaped
};

/// One row of /proc/net/{tcp,udp}[6] that matters here.
struct ProcNetEntry {
  std::uint16_t local_port = 0;
  std::uint16_t remote_port = 0;
  std::uint64_t inode = 0;
};

/// Parses the text of /proc/net/tcp (or udp, tcp6, udp6); malformed lines are skipped.
[[nodiscard]] std::vector<ProcNetEntry> parse_proc_net(std::string_view text);

/// Finds owners of client sockets inside one network namespace.
class SocketOwnerFinder {
public:
  /// Looks among processes whose /proc/<pid>/ns/net has inode `netns_inode`; `hint_pid` (the
  /// fence's first process) is tried first for reading the namespace's socket tables.
  SocketOwnerFinder(std::uint64_t netns_inode, std::int64_t hint_pid);

  /// The process owning the `transport` ("tcp"/"udp") socket whose local port is `local_port`
  /// (and remote port `remote_port`, when non-zero); with `local_port` 0, any socket connected to
  /// `remote_port` (a resolver event that carries no client port). Nothing when it is gone.
  [[nodiscard]] std::optional<SocketOwner> find(std::string_view transport, std::uint16_t local_port,
                                                std::uint16_t remote_port) const;
  /// The processes of the namespace now.
  [[nodiscard]] std::vector<std::int64_t> processes() const;
  /// How many times /proc was walked (each find walks it once): what attribution
  /// has cost so far.
  [[nodiscard]] std::uint64_t walks() const noexcept { return m_walks.load(std::memory_order_relaxed); }

private:
  std::uint64_t m_netns_inode;
  std::int64_t m_hint_pid;
  // pid → in the fence: each pid's namespace is looked up once, so a walk of /proc costs a
  // readdir plus a stat per *new* process.
  mutable std::mutex m_cache_mutex;
  mutable std::unordered_map<std::int64_t, bool> m_cache;
  mutable std::atomic<std::uint64_t> m_walks{0};
};

/// The command line of `pid` ("" when gone), arguments joined by spaces, at most `max` bytes.
[[nodiscard]] std::string process_command(std::int64_t pid, std::size_t max = 512);

/// The port of a "ADDR:PORT" / "[V6]:PORT" client string; 0 when there is none.
[[nodiscard]] std::uint16_t port_of(std::string_view address_port) noexcept;

} // namespace netmap::sandbox
