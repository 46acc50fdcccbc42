#include "netmap/sandbox/refusing_tun.hpp"

#include "netmap/base/error.hpp"
#include "netmap/sandbox/route_netlink.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/ioctl.h>

namespace netmap::sandbox {

namespace {

std::string configure(unsigned ifindex) {
  RouteNetlink nl;
  if (!nl.error().empty()) return nl.error();
  std::uint8_t v4[4];
  ::inet_pton(AF_INET, k_refusing_tun_ipv4, v4);
  if (auto e = nl.add_address(ifindex, v4, 32, "address on the refusing interface"); !e.empty()) return e;
  if (auto e = nl.add_default_route(AF_INET, RT_TABLE_MAIN, RTN_UNICAST, RT_SCOPE_LINK, ifindex, "route default dev netmap0");
      !e.empty())
    return e;
  if (ipv6_disabled()) return {};
  std::uint8_t v6[16];
  ::inet_pton(AF_INET6, k_refusing_tun_ipv6, v6);
  if (auto e = nl.add_address(ifindex, v6, 128, "IPv6 address on the refusing interface"); !e.empty()) return e;
  return nl.add_default_route(AF_INET6, RT_TABLE_MAIN, RTN_UNICAST, RT_SCOPE_LINK, ifindex, "route ::/0 dev netmap0");
}

} // namespace

base::Fd open_refusing_tun(std::string& why) {
  base::Fd fd(::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC));
  if (!fd) {
    const int err = errno;
    why = base::errno_text("open /dev/net/tun");
    if (err == EACCES || err == EPERM)
      why += "; make it readable and writable by every user (mode 0666, as most distributions ship it), or run as root";
    else if (err == ENOENT || err == ENODEV || err == ENXIO)
      why += "; this machine has no TUN driver (in a container: docker run --device /dev/net/tun)";
    return {};
  }
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, k_refusing_tun_name, IFNAMSIZ - 1);
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI; // bare IP packets, no link header
  if (::ioctl(fd.get(), TUNSETIFF, &ifr) != 0) {
    why = base::errno_text("create the TUN device");
    return {};
  }
  unsigned ifindex = ::if_nametoindex(k_refusing_tun_name);
  if (ifindex == 0) {
    why = base::errno_text("if_nametoindex netmap0");
    return {};
  }
  if (auto e = bring_link_up(k_refusing_tun_name); !e.empty()) {
    why = e;
    return {};
  }
  if (auto e = configure(ifindex); !e.empty()) {
    why = e;
    return {};
  }
  // Persistent, the device outlives netmap's fd and goes with the fence's namespace, which the
  // kernel tears down after netmap has exited; otherwise closing the fd unregisters it there and
  // then, an RCU grace period or two (~30 ms here) on the way out of every run. It is made so
  // only now that it works: until here, closing the fd removed it and its routes.
  if (::ioctl(fd.get(), TUNSETPERSIST, 1) != 0) {
    why = base::errno_text("make the TUN device persistent");
    return {};
  }
  return fd;
}

} // namespace netmap::sandbox
