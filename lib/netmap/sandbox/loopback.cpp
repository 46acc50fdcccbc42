#include "netmap/sandbox/loopback.hpp"

#include "netmap/base/fd.hpp"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace netmap::sandbox {

namespace {

std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

// Netlink messages are built byte by byte (RFC 3549 framing: 4-byte aligned TLVs), so no
// pointer casts of the NLMSG_/RTA_ macros are needed.
template <class T>
void put(std::vector<std::uint8_t>& buf, const T& v) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(&v);
  buf.insert(buf.end(), p, p + sizeof v);
  while (buf.size() % 4 != 0) buf.push_back(0);
}

void put_attr_u32(std::vector<std::uint8_t>& buf, std::uint16_t type, std::uint32_t value) {
  rtattr a{};
  a.rta_len = static_cast<unsigned short>(sizeof(rtattr) + sizeof value);
  a.rta_type = type;
  put(buf, a);
  put(buf, value);
}

std::string add_route(int nl, unsigned char family, unsigned ifindex, std::uint32_t seq) {
  std::vector<std::uint8_t> msg;
  nlmsghdr h{};
  h.nlmsg_type = RTM_NEWROUTE;
  h.nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK;
  h.nlmsg_seq = seq;
  put(msg, h);
  rtmsg r{};
  r.rtm_family = family;
  r.rtm_dst_len = 0; // the default route: every destination
  r.rtm_table = RT_TABLE_LOCAL;
  r.rtm_protocol = RTPROT_BOOT;
  r.rtm_scope = RT_SCOPE_HOST;
  r.rtm_type = RTN_LOCAL;
  put(msg, r);
  put_attr_u32(msg, RTA_OIF, ifindex);
  std::uint32_t len = static_cast<std::uint32_t>(msg.size());
  std::memcpy(msg.data(), &len, sizeof len);
  if (::send(nl, msg.data(), msg.size(), 0) < 0) return errno_text("netlink send");
  std::uint8_t reply[1024];
  ssize_t n = ::recv(nl, reply, sizeof reply, 0);
  if (n < static_cast<ssize_t>(sizeof(nlmsghdr) + sizeof(nlmsgerr))) return errno_text("netlink ack");
  nlmsghdr rh{};
  std::memcpy(&rh, reply, sizeof rh);
  if (rh.nlmsg_type != NLMSG_ERROR) return "netlink: unexpected reply";
  nlmsgerr err{};
  std::memcpy(&err, reply + sizeof(nlmsghdr), sizeof err);
  if (err.error != 0) {
    errno = -err.error;
    return errno_text(family == AF_INET ? "route local 0.0.0.0/0" : "route local ::/0");
  }
  return {};
}

bool ipv6_disabled() {
  base::Fd s(::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  return !s;
}

} // namespace

std::string bring_loopback_up() {
  base::Fd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!s) return errno_text("socket");
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  if (::ioctl(s.get(), SIOCGIFFLAGS, &ifr) != 0) return errno_text("SIOCGIFFLAGS lo");
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP | IFF_RUNNING);
  if (::ioctl(s.get(), SIOCSIFFLAGS, &ifr) != 0) return errno_text("bring lo up");
  return {};
}

std::string add_local_default_routes() {
  base::Fd nl(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (!nl) return errno_text("netlink socket");
  sockaddr_nl sa{};
  sa.nl_family = AF_NETLINK;
  if (::bind(nl.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) return errno_text("netlink bind");
  unsigned lo = ::if_nametoindex("lo");
  if (lo == 0) return errno_text("if_nametoindex lo");
  if (auto e = add_route(nl.get(), AF_INET, lo, 1); !e.empty()) return e;
  if (ipv6_disabled()) return {};
  return add_route(nl.get(), AF_INET6, lo, 2);
}

} // namespace netmap::sandbox
