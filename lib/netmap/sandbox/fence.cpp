#include "netmap/sandbox/fence.hpp"

#include "netmap/base/atomic_file.hpp"
#include "netmap/base/error.hpp"
#include "netmap/sandbox/fd_passing.hpp"
#include "netmap/sandbox/loopback.hpp"
#include "netmap/sandbox/refusing_tun.hpp"
#include "netmap/sandbox/proxy_env.hpp"
#include "netmap/sandbox/socket_owner.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <ctime>
#include <set>

namespace netmap::sandbox {

using base::errno_text;

namespace {

std::string read_small(const char* path) {
  std::ifstream in(path);
  std::string s;
  std::getline(in, s);
  return s;
}

std::string write_proc(const char* path, const std::string& text) {
  base::Fd fd(::open(path, O_WRONLY | O_CLOEXEC));
  if (!fd) return errno_text(std::string("open ") + path);
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    return errno_text(std::string("write ") + path);
  return {};
}

// Classic BPF (packet(7), SO_ATTACH_FILTER) keeping only what leaves for somewhere other than
// loopback, plus DNS to a loopback address other than our resolver's: everything else on `lo` is
// the fence's own traffic (proxied bytes included) and must not be copied to us. With the refusing
// device carrying the default route, only that DNS crosses `lo` as an attempt: traffic to the
// device's own addresses is the fence talking to itself, and IPv6 has no second loopback address.
constexpr std::uint32_t k_bpf_ret_accept = 256; // headers only
sock_filter insn(std::uint16_t code, std::uint8_t jt, std::uint8_t jf, std::uint32_t k) { return {code, jt, jf, k}; }

std::vector<sock_filter> direct_filter(bool loopback_dns_only) {
  constexpr auto ld = BPF_LD | BPF_ABS;
  constexpr auto jeq = BPF_JMP | BPF_JEQ | BPF_K;
  const auto skf_pkttype = static_cast<std::uint32_t>(SKF_AD_OFF + SKF_AD_PKTTYPE);
  return {
      insn(ld | BPF_W, 0, 0, skf_pkttype),      // 0
      insn(jeq, 0, 22, PACKET_OUTGOING),        // 1: only once per packet
      insn(ld | BPF_H, 0, 0, 12),               // 2: ethertype
      insn(jeq, 1, 0, ETH_P_IP),                // 3
      insn(jeq, loopback_dns_only ? 19 : 10, 19, ETH_P_IPV6), // 4
      insn(ld | BPF_B, 0, 0, 30),               // 5: IPv4 dst, first byte
      insn(jeq, 0, loopback_dns_only ? 17 : 16, 127), // 6: not 127/8 → accept (or reject)
      insn(ld | BPF_B, 0, 0, 23),               // 7: protocol
      insn(jeq, 1, 0, IPPROTO_UDP),             // 8
      insn(jeq, 0, 14, IPPROTO_TCP),            // 9
      insn(BPF_LDX | BPF_B | BPF_MSH, 0, 0, 14), // 10: x = IPv4 header length
      insn(BPF_LD | BPF_H | BPF_IND, 0, 0, 16), // 11: dst port
      insn(jeq, 0, 11, 53),                     // 12
      insn(ld | BPF_W, 0, 0, 30),               // 13: dst address
      insn(jeq, 9, 8, INADDR_LOOPBACK),         // 14: our resolver → reject, other → accept
      insn(ld | BPF_W, 0, 0, 38),               // 15: IPv6 dst, 4 words
      insn(jeq, 0, 6, 0),                       // 16
      insn(ld | BPF_W, 0, 0, 42),               // 17
      insn(jeq, 0, 4, 0),                       // 18
      insn(ld | BPF_W, 0, 0, 46),               // 19
      insn(jeq, 0, 2, 0),                       // 20
      insn(ld | BPF_W, 0, 0, 50),               // 21
      insn(jeq, 1, 0, 1),                       // 22: ::1 → reject
      insn(BPF_RET | BPF_K, 0, 0, k_bpf_ret_accept), // 23
      insn(BPF_RET | BPF_K, 0, 0, 0),           // 24
  };
}

base::Fd packet_socket(bool loopback_dns_only, std::string& why) {
  // Created with protocol 0 (receives nothing), filtered, then bound: no unfiltered packet queues.
  base::Fd s(::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0));
  if (!s) {
    why = errno_text("packet socket");
    return {};
  }
  auto prog = direct_filter(loopback_dns_only);
  sock_fprog fp{static_cast<unsigned short>(prog.size()), prog.data()};
  if (::setsockopt(s.get(), SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof fp) != 0) {
    why = errno_text("attach filter");
    return {};
  }
  sockaddr_ll ll{};
  ll.sll_family = AF_PACKET;
  ll.sll_protocol = htons(ETH_P_ALL);
  ll.sll_ifindex = static_cast<int>(::if_nametoindex("lo"));
  if (::bind(s.get(), reinterpret_cast<sockaddr*>(&ll), sizeof ll) != 0) {
    why = errno_text("bind packet socket");
    return {};
  }
  return s;
}

base::Fd loopback_socket(int type, std::uint16_t port, std::string& why) {
  base::Fd s(::socket(AF_INET, type | SOCK_CLOEXEC, 0));
  if (!s) {
    why = errno_text("socket");
    return {};
  }
  int one = 1;
  ::setsockopt(s.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    why = errno_text("bind 127.0.0.1:" + std::to_string(port));
    return {};
  }
  if (type == SOCK_STREAM && ::listen(s.get(), 4096) != 0) {
    why = errno_text("listen 127.0.0.1:" + std::to_string(port));
    return {};
  }
  return s;
}

// glibc consults these NSS modules through Unix sockets or multicast that a network namespace
// does not cut off (systemd-resolved's varlink socket), so name lookups would escape the fence.
bool nsswitch_escapes(const std::string& text) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("hosts:", 0) != 0) continue;
    return line.find("resolve") != std::string::npos || line.find("mdns") != std::string::npos;
  }
  return false;
}

std::string unshare_reason(int err) {
  return std::string("cannot create the fence's namespaces: ") + std::strerror(err);
}

} // namespace

void check_fence_support() {
  const std::string hint_root = "or run netmap replay as root";
  if (::geteuid() != 0) {
    if (read_small("/proc/sys/kernel/unprivileged_userns_clone") == "0")
      throw base::UserError("unprivileged user namespaces are disabled on this machine (kernel.unprivileged_userns_clone=0)",
                            "enable them with `sysctl -w kernel.unprivileged_userns_clone=1`, " + hint_root);
    if (read_small("/proc/sys/user/max_user_namespaces") == "0")
      throw base::UserError("user namespaces are disabled on this machine (user.max_user_namespaces=0)",
                            "enable them with `sysctl -w user.max_user_namespaces=15000`, " + hint_root);
    if (read_small("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == "1")
      throw base::UserError("AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns=1)",
                            "allow them with `sysctl -w kernel.apparmor_restrict_unprivileged_userns=0` or an AppArmor "
                            "profile for netmap with `userns,`, " + hint_root);
  }
  // The sysctls above are not the only gate (seccomp in containers, LSMs): ask the kernel.
  pid_t pid = ::fork();
  if (pid < 0) throw base::UserError(errno_text("cannot fork"));
  if (pid == 0) {
    int flags = CLONE_NEWNET | CLONE_NEWNS | (::geteuid() != 0 ? CLONE_NEWUSER : 0);
    ::_exit(::unshare(flags) == 0 ? 0 : (errno & 0x7f));
  }
  int st = 0;
  while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(st) && WEXITSTATUS(st) != 0) {
    int err = WEXITSTATUS(st);
    throw base::UserError(::geteuid() != 0 ? "cannot create a user namespace here: " + std::string(std::strerror(err))
                                           : "cannot create network and mount namespaces: " + std::string(std::strerror(err)),
                          ::geteuid() != 0 ? "unprivileged user namespaces may be blocked by seccomp or an LSM (in a "
                                             "container: run it with --security-opt seccomp=unconfined), " + hint_root
                                           : "in a container, netmap replay needs CAP_SYS_ADMIN (docker run --cap-add SYS_ADMIN)");
  }
}

std::size_t kill_fenced_processes(std::uint64_t netns_inode) {
  if (netns_inode == 0) return 0;
  SocketOwnerFinder finder(netns_inode, 0);
  std::set<std::int64_t> killed;
  for (int round = 0; round < 100; ++round) {
    auto pids = finder.processes();
    if (pids.empty()) break;
    for (auto pid : pids) {
      if (pid == ::getpid()) continue;
      ::kill(static_cast<pid_t>(pid), SIGKILL);
      killed.insert(pid);
    }
    struct timespec ts {0, 10'000'000};
    ::nanosleep(&ts, nullptr);
  }
  return killed.size();
}

Fence::Fence(FenceConfig config) : m_config(config), m_uid(::getuid()), m_gid(::getgid()) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
    throw base::UserError(errno_text("cannot create a socket pair"));
  m_parent_end.reset(sv[0]);
  m_child_end.reset(sv[1]);
  const char* tmp = std::getenv("TMPDIR");
  std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/netmap-replay-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) throw base::UserError(errno_text("cannot create a directory in " + tmpl));
  m_dir = tmpl;
  m_resolv_conf = m_dir + "/resolv.conf";
  base::write_file_atomic(m_resolv_conf, resolv_conf_text());
  ::chmod(m_resolv_conf.c_str(), 0644);
  std::ifstream ns("/etc/nsswitch.conf");
  std::string text((std::istreambuf_iterator<char>(ns)), std::istreambuf_iterator<char>());
  if (nsswitch_escapes(text)) {
    std::string out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
      out += (line.rfind("hosts:", 0) == 0 ? std::string("hosts: files dns") : line) + "\n";
    m_nsswitch = m_dir + "/nsswitch.conf";
    base::write_file_atomic(m_nsswitch, out);
    ::chmod(m_nsswitch.c_str(), 0644);
  }
}

Fence::~Fence() {
  if (!m_nsswitch.empty()) ::unlink(m_nsswitch.c_str());
  if (!m_resolv_conf.empty()) ::unlink(m_resolv_conf.c_str());
  if (!m_dir.empty()) ::rmdir(m_dir.c_str());
}

std::string Fence::resolv_conf_text() {
  return "# written by netmap replay: the fence's restrictive resolver\nnameserver 127.0.0.1\noptions edns0 trust-ad\n";
}

std::string Fence::proxy_address() const { return "127.0.0.1:" + std::to_string(m_config.proxy_port); }

std::vector<std::string> Fence::environment(const std::vector<std::string>& base) const {
  return proxy_environment(base, "127.0.0.1", m_config.proxy_port);
}

PreExecHook Fence::hook() {
  return [this] { return child_setup(); };
}

std::string Fence::child_setup() {
  m_parent_end.reset();
  const bool userns = m_uid != 0;
  if (::unshare(CLONE_NEWNET | CLONE_NEWNS | (userns ? CLONE_NEWUSER : 0)) != 0) return unshare_reason(errno);
  if (userns) {
    // user_namespaces(7): an unprivileged process may map only its own ids, and must deny
    // setgroups before writing gid_map.
    if (auto e = write_proc("/proc/self/setgroups", "deny"); !e.empty()) return e;
    if (auto e = write_proc("/proc/self/uid_map", std::to_string(m_uid) + " " + std::to_string(m_uid) + " 1\n"); !e.empty()) return e;
    if (auto e = write_proc("/proc/self/gid_map", std::to_string(m_gid) + " " + std::to_string(m_gid) + " 1\n"); !e.empty()) return e;
  }
  if (auto e = bring_loopback_up(); !e.empty()) return e;
  // The refusing device when it can be made (it names the process behind a direct TCP attempt);
  // otherwise every destination is local, and attempts are refused by loopback itself.
  std::string tun_why;
  base::Fd tun = m_config.watch_direct && m_config.refusing_tun ? open_refusing_tun(tun_why) : base::Fd();
  if (!tun)
    if (auto e = add_local_default_routes(); !e.empty()) return e;
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return errno_text("make mounts private");
  // Without /etc/resolv.conf (a bare container, a link to a stopped resolver's file) resolvers ask
  // 127.0.0.1:53 (resolv.conf(5)), where the fence's own resolver listens: nothing to cover.
  struct stat resolv {};
  const bool has_resolv_conf = ::stat("/etc/resolv.conf", &resolv) == 0 || errno != ENOENT;
  if (has_resolv_conf && ::mount(m_resolv_conf.c_str(), "/etc/resolv.conf", nullptr, MS_BIND, nullptr) != 0)
    return errno_text("bind-mount resolv.conf over /etc/resolv.conf");
  if (!m_nsswitch.empty() && ::mount(m_nsswitch.c_str(), "/etc/nsswitch.conf", nullptr, MS_BIND, nullptr) != 0)
    return errno_text("bind-mount nsswitch.conf");
  std::string why;
  base::Fd udp = loopback_socket(SOCK_DGRAM, m_config.dns_port, why);
  base::Fd tcp = udp ? loopback_socket(SOCK_STREAM, m_config.dns_port, why) : base::Fd();
  base::Fd proxy = tcp ? loopback_socket(SOCK_STREAM, m_config.proxy_port, why) : base::Fd();
  if (!proxy) return why;
  base::Fd netns(::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC));
  if (!netns) return errno_text("open /proc/self/ns/net");
  std::vector<int> fds{udp.get(), tcp.get(), proxy.get(), netns.get()};
  std::string packet_why;
  base::Fd packet = m_config.watch_direct ? packet_socket(static_cast<bool>(tun), packet_why) : base::Fd();
  // The tag says which optional sockets follow, and why the device is missing.
  std::string tag = "fence";
  if (packet) {
    fds.push_back(packet.get());
    tag += " packet";
  }
  if (tun) {
    fds.push_back(tun.get());
    tag += " tun";
  }
  if (!tun_why.empty()) tag += "\n" + tun_why.substr(0, 200); // the receiver reads 256 bytes
  if (auto e = send_fds(m_child_end.get(), fds, tag); !e.empty()) return e;
  m_child_end.reset();
  return {};
}

FenceSockets Fence::receive() {
  m_child_end.reset();
  std::string tag;
  auto fds = receive_fds(m_parent_end.get(), 6, &tag);
  const auto nl = tag.find('\n');
  const std::string kinds = tag.substr(0, nl);
  const bool with_packet = kinds.find(" packet") != std::string::npos;
  const bool with_tun = kinds.find(" tun") != std::string::npos;
  if (!fds || kinds.rfind("fence", 0) != 0 || fds->size() != 4 + std::size_t{with_packet} + std::size_t{with_tun})
    throw base::UserError("the fence's child sent no sockets");
  FenceSockets s;
  s.dns_udp = std::move((*fds)[0]);
  s.dns_tcp = std::move((*fds)[1]);
  s.proxy = std::move((*fds)[2]);
  s.netns = std::move((*fds)[3]);
  if (with_packet) s.packet = std::move((*fds)[4]);
  if (with_tun) s.tun = std::move(fds->back());
  if (nl != std::string::npos) s.tun_unavailable = tag.substr(nl + 1);
  struct stat st {};
  if (::fstat(s.netns.get(), &st) == 0) s.netns_inode = st.st_ino;
  m_parent_end.reset();
  return s;
}

} // namespace netmap::sandbox
