#include "netmap/dns/local_dest.hpp"

#include <cstring>

namespace netmap::dns {

bool enable_local_dest(int fd) noexcept {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return false;
  int one = 1;
  if (ss.ss_family == AF_INET) {
    if (reinterpret_cast<const sockaddr_in*>(&ss)->sin_addr.s_addr != htonl(INADDR_ANY)) return false;
    return setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one) == 0;
  }
  if (ss.ss_family == AF_INET6) {
    if (!IN6_IS_ADDR_UNSPECIFIED(&reinterpret_cast<const sockaddr_in6*>(&ss)->sin6_addr)) return false;
    // A dual-stack socket also gets IPv4 queries as mapped addresses: ask for both.
    setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
    return setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one) == 0;
  }
  return false;
}

LocalDest read_local_dest(const msghdr& h) noexcept {
  LocalDest d;
  if (h.msg_controllen == 0) return d;
  msghdr m = h; // CMSG_NXTHDR takes non-const pointers; the copy shares the control buffer
  for (cmsghdr* c = CMSG_FIRSTHDR(&m); c != nullptr; c = CMSG_NXTHDR(&m, c)) {
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO && c->cmsg_len >= CMSG_LEN(sizeof(in_pktinfo))) {
      in_pktinfo p;
      std::memcpy(&p, CMSG_DATA(c), sizeof p);
      d.family = AF_INET;
      d.v4 = p.ipi_spec_dst;
    } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO &&
               c->cmsg_len >= CMSG_LEN(sizeof(in6_pktinfo))) {
      in6_pktinfo p;
      std::memcpy(&p, CMSG_DATA(c), sizeof p);
      d.family = AF_INET6;
      d.v6 = p.ipi6_addr;
      d.ifindex = p.ipi6_ifindex;
    }
  }
  return d;
}

std::size_t write_local_dest(const LocalDest& d, char* buf) noexcept {
  auto* c = reinterpret_cast<cmsghdr*>(buf);
  if (d.family == AF_INET) {
    in_pktinfo p{};
    p.ipi_spec_dst = d.v4; // the source; the route decides the interface
    c->cmsg_level = IPPROTO_IP;
    c->cmsg_type = IP_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof p);
    std::memcpy(CMSG_DATA(c), &p, sizeof p);
    return CMSG_SPACE(sizeof p);
  }
  if (d.family == AF_INET6) {
    in6_pktinfo p{};
    p.ipi6_addr = d.v6;
    p.ipi6_ifindex = d.ifindex;
    c->cmsg_level = IPPROTO_IPV6;
    c->cmsg_type = IPV6_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof p);
    std::memcpy(CMSG_DATA(c), &p, sizeof p);
    return CMSG_SPACE(sizeof p);
  }
  return 0;
}

} // namespace netmap::dns
