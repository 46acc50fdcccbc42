#pragma once
// The fence's refusing interface: a TUN device carrying the default route inside the fence. Every
// packet a fenced program sends past loopback (a direct attempt) arrives on netmap's end of the
// device while the program's socket still waits for an answer, so its owner can be named; netmap
// then answers as a closed network does (refusal.hpp). Nothing written to the device goes anywhere
// but netmap, so it opens no way out.

#include "netmap/base/fd.hpp"

#include <string>

namespace netmap::sandbox {

/// The device's name inside the fence.
inline constexpr const char* k_refusing_tun_name = "netmap0";
/// Its IPv4 address: the source of fenced programs' direct attempts over IPv4.
inline constexpr const char* k_refusing_tun_ipv4 = "10.64.0.2";
/// Its IPv6 address (unique-local): the source of direct attempts over IPv6.
inline constexpr const char* k_refusing_tun_ipv6 = "fd6e:6d00::2";

/// Creates the device in the current network namespace, gives it its addresses and routes every
/// destination through it (IPv6 only where the namespace has it). Needs CAP_NET_ADMIN in the
/// namespace and permission to open /dev/net/tun. On failure returns an empty fd with the reason
/// in `why`, and leaves no device behind (it lives only as long as its fd).
[[nodiscard]] base::Fd open_refusing_tun(std::string& why);

} // namespace netmap::sandbox
