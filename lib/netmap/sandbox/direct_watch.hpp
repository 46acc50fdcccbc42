#pragma once
// Watches for direct attempts: connections and datagrams sent to anything but loopback (programs
// that ignore the proxy, hard-coded IPs, DNS to outside resolvers). Reads, on its own thread, the
// refusing TUN device that carries the fence's default route, answering each packet as a closed
// network does once the attempt is reported, and the filtered AF_PACKET socket on `lo`.

#include "netmap/base/fd.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

namespace netmap::sandbox {

/// One direct attempt seen on the fence's loopback.
struct DirectAttempt {
  std::int64_t time_us = 0;   ///< wall clock when seen
  std::string transport;      ///< "tcp", "udp" or "icmp" (an echo request)
  std::string source;         ///< source address
  std::uint16_t source_port = 0; ///< for "icmp", the echo identifier
  std::string destination;    ///< destination address ("192.0.2.1", "2001:db8::1")
  std::uint16_t port = 0;     ///< destination port (0 for "icmp")
  bool dns = false;           ///< a DNS query (port 53)
};

/// Decodes one frame from the fence's `lo` (14-byte link header, then IPv4/IPv6): a TCP SYN
/// without ACK, a UDP datagram or an ICMP echo request; nothing for anything else (replies, ICMP
/// errors, junk). Never throws.
[[nodiscard]] std::optional<DirectAttempt> decode_direct_attempt(std::span<const std::uint8_t> frame) noexcept;

/// The same for a bare IPv4/IPv6 packet, as the refusing TUN device delivers it. Never throws.
[[nodiscard]] std::optional<DirectAttempt> decode_direct_packet(std::span<const std::uint8_t> packet) noexcept;

/// Reads the device and the packet socket until stop(); calls `on_attempt` from its thread for
/// each attempt, before the device's packet is answered (so the attempt's socket still exists).
class DirectWatch {
public:
  /// Starts the thread at once; with both fds empty the watcher sees nothing.
  DirectWatch(base::Fd packet_socket, base::Fd tun, std::function<void(const DirectAttempt&)> on_attempt);
  /// Stops and joins.
  ~DirectWatch();
  DirectWatch(const DirectWatch&) = delete;
  DirectWatch& operator=(const DirectWatch&) = delete;

  /// Drains what is queued, then stops the thread and joins it.
  void stop();
  /// Frames read that were not attempts (replies, ICMP) or could not be decoded.
  [[nodiscard]] std::uint64_t ignored() const noexcept { return m_ignored.load(); }
  /// Packets from the device answered with a refusal (RST, ICMP unreachable).
  [[nodiscard]] std::uint64_t refused() const noexcept { return m_refused.load(); }

private:
  void loop();
  void read_packet_socket();
  void read_tun();
  /// Stamps and hands on a decoded attempt; counts anything else as ignored.
  void report(std::optional<DirectAttempt> a);
  base::Fd m_fd;
  base::Fd m_tun;
  base::Fd m_wake;
  std::function<void(const DirectAttempt&)> m_on_attempt;
  std::atomic<std::uint64_t> m_ignored{0};
  std::atomic<std::uint64_t> m_refused{0};
  std::vector<std::uint8_t> m_buf; ///< one packet from the device: up to 64 KiB, whatever its MTU
  std::thread m_thread;
};

} // namespace netmap::sandbox
