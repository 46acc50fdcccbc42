#pragma once
// What a closed network answers a direct attempt with: the packets a fenced program sends past the
// proxy arrive on the fence's TUN device, and each gets the reply that makes its sender fail at
// once (a TCP RST, an ICMP destination unreachable), built from the attempt alone.

#include <cstdint>
#include <span>
#include <vector>

namespace netmap::sandbox {

/// The packet a closed network answers `packet` with (a raw IPv4/IPv6 packet as read from a TUN device, no link header); empty when no answer is due. Never throws.
[[nodiscard]] std::vector<std::uint8_t> refusal_for(std::span<const std::uint8_t> packet) noexcept;

} // namespace netmap::sandbox
