#pragma once
// The replay fence: new user (unless root), network and mount namespaces holding only loopback.
// The child builds it before exec'ing the command — loopback up, the default route through the
// refusing TUN device (or, where /dev/net/tun is out of reach, "everything is local" routes), the
// resolver's and proxy's listening sockets, a watcher on `lo`, resolv.conf bind-mounted — and
// hands the sockets to netmap over a Unix socket pair (SCM_RIGHTS). netmap serves them from its
// own namespace, so allowed traffic leaves only through netmap, and nothing else leaves at all.

#include "netmap/base/fd.hpp"
#include "netmap/sandbox/child_process.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace netmap::sandbox {

/// How the fence is built.
struct FenceConfig {
  std::uint16_t proxy_port = 3128; ///< the proxy's port on 127.0.0.1 inside the fence
  std::uint16_t dns_port = 53;     ///< the resolver's port on 127.0.0.1 (resolv.conf can name no other)
  bool watch_direct = true;        ///< see direct attempts (the refusing device, the packet socket on `lo`)
  bool refusing_tun = true;        ///< route them to the refusing TUN device when it can be made
};

/// The sockets the fence hands out, all living in the fence's network namespace.
struct FenceSockets {
  base::Fd dns_udp;     ///< bound UDP 127.0.0.1:dns_port
  base::Fd dns_tcp;     ///< listening TCP 127.0.0.1:dns_port
  base::Fd proxy;       ///< listening TCP 127.0.0.1:proxy_port
  base::Fd netns;       ///< the namespace itself (/proc/self/ns/net of the child)
  base::Fd packet;      ///< AF_PACKET on `lo`, filtered to direct attempts that cross it (may be empty)
  base::Fd tun;         ///< the refusing TUN device carrying the default route (may be empty)
  std::string tun_unavailable; ///< why there is no `tun` (empty when there is, or it was not asked for)
  std::uint64_t netns_inode = 0; ///< identity of the namespace, to find its processes in /proc
};

/// Throws base::UserError (one line, with how to fix it in the hint) when this kernel or this
/// user cannot create the fence: unprivileged user namespaces disabled or restricted.
void check_fence_support();

/// SIGKILLs every process still in the network namespace `netns_inode` (daemons that left the
/// command's process group included) until none is left or ~1 s passed; returns how many it killed.
std::size_t kill_fenced_processes(std::uint64_t netns_inode);

/// One fence, for one child. Create, pass hook() as the ChildSpec's pre_exec, spawn, then
/// receive(). Temporary files (resolv.conf, nsswitch.conf) are removed by the destructor.
class Fence {
public:
  /// Prepares the socket pair and the files to bind-mount. Throws base::UserError.
  explicit Fence(FenceConfig config);
  ~Fence();
  Fence(const Fence&) = delete;
  Fence& operator=(const Fence&) = delete;

  /// The child's side: builds the fence, sends the sockets. Runs after fork, before exec.
  [[nodiscard]] PreExecHook hook();
  /// netmap's side, after spawn() returned: the sockets the child sent. Throws base::UserError.
  [[nodiscard]] FenceSockets receive();
  /// `base` with the proxy variables pointing at the fence's proxy.
  [[nodiscard]] std::vector<std::string> environment(const std::vector<std::string>& base) const;
  /// "127.0.0.1:PORT" of the proxy inside the fence.
  [[nodiscard]] std::string proxy_address() const;
  /// The resolv.conf text the fence shows its command.
  [[nodiscard]] static std::string resolv_conf_text();

private:
  std::string child_setup();

  FenceConfig m_config;
  base::Fd m_parent_end;
  base::Fd m_child_end;
  std::string m_dir;            ///< private temp dir for the files below
  std::string m_resolv_conf;    ///< file bind-mounted over /etc/resolv.conf
  std::string m_nsswitch;       ///< rewritten nsswitch.conf, or empty when the host's is fine
  unsigned m_uid = 0;
  unsigned m_gid = 0;
};

} // namespace netmap::sandbox
