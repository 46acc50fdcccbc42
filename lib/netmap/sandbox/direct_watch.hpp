#pragma once
// Watches the fence's loopback for direct attempts: connections and datagrams sent to anything but
// loopback (programs that ignore the proxy, hard-coded IPs, DNS to outside resolvers). Reads the
// filtered AF_PACKET socket the fence hands out, on its own thread.

#include "netmap/base/fd.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <thread>

namespace netmap::sandbox {

/// One direct attempt seen on the fence's loopback.
struct DirectAttempt {
  std::int64_t time_us = 0;   ///< wall clock when seen
  std::string transport;      ///< "tcp" or "udp"
  std::string source;         ///< source address
  std::uint16_t source_port = 0;
  std::string destination;    ///< destination address ("192.0.2.1", "2001:db8::1")
  std::uint16_t port = 0;     ///< destination port
  bool dns = false;           ///< a DNS query (port 53)
};

/// Decodes one frame from the fence's `lo` (14-byte link header, then IPv4/IPv6): a TCP SYN
/// without ACK or a UDP datagram; nothing for anything else (replies, ICMP, junk). Never throws.
[[nodiscard]] std::optional<DirectAttempt> decode_direct_attempt(std::span<const std::uint8_t> frame) noexcept;

/// Reads the packet socket until stop(); calls `on_attempt` from its thread for each attempt.
class DirectWatch {
public:
  /// Starts the thread at once; an empty fd makes a watcher that sees nothing.
  DirectWatch(base::Fd packet_socket, std::function<void(const DirectAttempt&)> on_attempt);
  /// Stops and joins.
  ~DirectWatch();
  DirectWatch(const DirectWatch&) = delete;
  DirectWatch& operator=(const DirectWatch&) = delete;

  /// Drains what is queued, then stops the thread and joins it.
  void stop();
  /// Frames read that were not attempts (replies, ICMP) or could not be decoded.
  [[nodiscard]] std::uint64_t ignored() const noexcept { return m_ignored.load(); }

private:
  void loop();
  base::Fd m_fd;
  base::Fd m_wake;
  std::function<void(const DirectAttempt&)> m_on_attempt;
  std::atomic<std::uint64_t> m_ignored{0};
  std::thread m_thread;
};

} // namespace netmap::sandbox
