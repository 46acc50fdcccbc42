#include "netmap/sandbox/route_netlink.hpp"

#include "netmap/base/error.hpp"

#include <cerrno>
#include <cstring>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace netmap::sandbox {

using base::errno_text;

namespace {

// Messages are built byte by byte (RFC 3549 framing: 4-byte aligned TLVs), so no pointer casts
// of the NLMSG_/RTA_ macros are needed.
template <class T>
void put(std::vector<std::uint8_t>& buf, const T& v) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(&v);
  buf.insert(buf.end(), p, p + sizeof v);
  while (buf.size() % 4 != 0) buf.push_back(0);
}

void put_attr(std::vector<std::uint8_t>& buf, std::uint16_t type, std::span<const std::uint8_t> value) {
  rtattr a{};
  a.rta_len = static_cast<unsigned short>(sizeof(rtattr) + value.size());
  a.rta_type = type;
  put(buf, a);
  buf.insert(buf.end(), value.begin(), value.end());
  while (buf.size() % 4 != 0) buf.push_back(0);
}

void put_attr_u32(std::vector<std::uint8_t>& buf, std::uint16_t type, std::uint32_t value) {
  put_attr(buf, type, {reinterpret_cast<const std::uint8_t*>(&value), sizeof value});
}

std::vector<std::uint8_t> header(std::uint16_t type, std::uint32_t seq) {
  std::vector<std::uint8_t> msg;
  nlmsghdr h{};
  h.nlmsg_type = type;
  h.nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK;
  h.nlmsg_seq = seq;
  put(msg, h);
  return msg;
}

void set_length(std::vector<std::uint8_t>& msg) {
  auto len = static_cast<std::uint32_t>(msg.size());
  std::memcpy(msg.data(), &len, sizeof len);
}

} // namespace

RouteNetlink::RouteNetlink() : m_fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)) {
  if (!m_fd) {
    m_error = errno_text("netlink socket");
    return;
  }
  sockaddr_nl sa{};
  sa.nl_family = AF_NETLINK;
  if (::bind(m_fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    m_error = errno_text("netlink bind");
    m_fd.reset();
  }
}

std::string RouteNetlink::request(std::span<const std::uint8_t> message, const char* what) {
  if (!m_fd) return m_error;
  if (::send(m_fd.get(), message.data(), message.size(), 0) < 0) return errno_text("netlink send");
  std::uint8_t reply[1024];
  ssize_t n = ::recv(m_fd.get(), reply, sizeof reply, 0);
  if (n < static_cast<ssize_t>(sizeof(nlmsghdr) + sizeof(nlmsgerr))) return errno_text("netlink ack");
  nlmsghdr rh{};
  std::memcpy(&rh, reply, sizeof rh);
  if (rh.nlmsg_type != NLMSG_ERROR) return "netlink: unexpected reply";
  nlmsgerr err{};
  std::memcpy(&err, reply + sizeof(nlmsghdr), sizeof err);
  if (err.error != 0) {
    errno = -err.error;
    return errno_text(what);
  }
  return {};
}

std::string RouteNetlink::add_default_route(unsigned char family, unsigned char table, unsigned char type,
                                            unsigned char scope, unsigned ifindex, const char* what) {
  auto msg = header(RTM_NEWROUTE, ++m_seq);
  rtmsg r{};
  r.rtm_family = family;
  r.rtm_dst_len = 0; // the default route: every destination
  r.rtm_table = table;
  r.rtm_protocol = RTPROT_BOOT;
  r.rtm_scope = scope;
  r.rtm_type = type;
  put(msg, r);
  put_attr_u32(msg, RTA_OIF, ifindex);
  set_length(msg);
  return request(msg, what);
}

std::string RouteNetlink::add_address(unsigned ifindex, std::span<const std::uint8_t> address, unsigned char prefix,
                                      const char* what) {
  const bool v6 = address.size() == 16;
  auto msg = header(RTM_NEWADDR, ++m_seq);
  ifaddrmsg a{};
  a.ifa_family = v6 ? AF_INET6 : AF_INET;
  a.ifa_prefixlen = prefix;
  a.ifa_flags = v6 ? IFA_F_NODAD : 0;
  a.ifa_scope = RT_SCOPE_UNIVERSE;
  a.ifa_index = ifindex;
  put(msg, a);
  put_attr(msg, IFA_LOCAL, address);
  put_attr(msg, IFA_ADDRESS, address);
  set_length(msg);
  return request(msg, what);
}

std::string bring_link_up(const char* name) {
  base::Fd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!s) return errno_text("socket");
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
  if (::ioctl(s.get(), SIOCGIFFLAGS, &ifr) != 0) return errno_text("SIOCGIFFLAGS");
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP | IFF_RUNNING);
  if (::ioctl(s.get(), SIOCSIFFLAGS, &ifr) != 0) return errno_text(std::string("bring ") + name + " up");
  return {};
}

bool ipv6_disabled() {
  base::Fd s(::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  return !s;
}

} // namespace netmap::sandbox
