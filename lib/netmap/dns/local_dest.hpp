#pragma once
// The address a UDP query was sent to, for a socket bound to a wildcard address (0.0.0.0, ::):
// the kernel reports it per datagram (IP_PKTINFO, IPV6_PKTINFO) and the answer must leave from
// it, or a client that asked 127.0.0.53 gets an answer from 127.0.0.1 and drops it.

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstddef>

namespace netmap::dns {

/// Where one query arrived; empty (family 0) on a socket bound to one address.
struct LocalDest {
  sa_family_t family = 0;
  in_addr v4{};       ///< the local address the datagram was for (ipi_spec_dst)
  in6_addr v6{};      ///< the same for IPv6
  unsigned ifindex = 0; ///< the IPv6 interface (link-local addresses need it)
  [[nodiscard]] bool empty() const noexcept { return family == 0; }
};

/// Control bytes a received message needs for its destination, and a reply for its source.
inline constexpr std::size_t k_local_dest_space = CMSG_SPACE(sizeof(in6_pktinfo));

/// When `fd` (UDP) is bound to a wildcard address, asks the kernel to report each datagram's
/// destination; true when it does. A socket bound to one address needs nothing.
bool enable_local_dest(int fd) noexcept;

/// The destination a received message's control data names; empty when it names none.
[[nodiscard]] LocalDest read_local_dest(const msghdr& h) noexcept;

/// Writes into `buf` (k_local_dest_space bytes, cmsghdr-aligned) the control message that sends
/// from `d`; the bytes used, 0 when `d` is empty.
std::size_t write_local_dest(const LocalDest& d, char* buf) noexcept;

} // namespace netmap::dns
