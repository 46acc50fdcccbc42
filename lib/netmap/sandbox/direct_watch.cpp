#include "netmap/sandbox/direct_watch.hpp"

#include "netmap/base/byte_reader.hpp"
#include "netmap/base/clock.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

namespace netmap::sandbox {

namespace {

constexpr std::uint16_t k_ethertype_ipv4 = 0x0800;
constexpr std::uint16_t k_ethertype_ipv6 = 0x86dd;
constexpr std::uint8_t k_tcp_syn = 0x02;
constexpr std::uint8_t k_tcp_ack = 0x10;

std::string address_text(int family, std::span<const std::uint8_t> bytes) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (::inet_ntop(family, bytes.data(), buf, sizeof buf) == nullptr) return {};
  return buf;
}

// The transport header: ports, and for TCP only the opening SYN counts (RFC 9293 §3.5), so a
// refused connection is one attempt, not its SYN and RST.
bool decode_transport(base::ByteReader& r, std::uint8_t proto, DirectAttempt& a) {
  auto sport = r.u16be();
  auto dport = r.u16be();
  if (!sport || !dport) return false;
  a.source_port = *sport;
  a.port = *dport;
  if (proto == IPPROTO_UDP) {
    a.transport = "udp";
  } else if (proto == IPPROTO_TCP) {
    if (!r.skip(9)) return false; // sequence, acknowledgment, data offset
    auto flags = r.u8();
    if (!flags || (*flags & k_tcp_syn) == 0 || (*flags & k_tcp_ack) != 0) return false;
    a.transport = "tcp";
  } else {
    return false;
  }
  a.dns = a.port == 53;
  return true;
}

} // namespace

std::optional<DirectAttempt> decode_direct_attempt(std::span<const std::uint8_t> frame) noexcept {
  try {
    base::ByteReader r(frame);
    if (!r.skip(12)) return std::nullopt;
    auto ethertype = r.u16be();
    if (!ethertype) return std::nullopt;
    DirectAttempt a;
    std::uint8_t proto = 0;
    if (*ethertype == k_ethertype_ipv4) {
      auto vihl = r.peek();
      if (!vihl || (*vihl >> 4) != 4) return std::nullopt;
      std::size_t ihl = static_cast<std::size_t>(*vihl & 0x0f) * 4;
      auto hdr = r.sub(ihl);
      if (ihl < 20 || !hdr || !hdr->skip(6)) return std::nullopt;
      auto frag = hdr->u16be();
      if (!frag || (*frag & 0x1fff) != 0) return std::nullopt; // later fragments carry no ports
      if (!hdr->skip(1)) return std::nullopt;
      auto p = hdr->u8();
      if (!p || !hdr->skip(2)) return std::nullopt;
      proto = *p;
      auto src = hdr->bytes(4);
      auto dst = hdr->bytes(4);
      if (!src || !dst) return std::nullopt;
      a.source = address_text(AF_INET, *src);
      a.destination = address_text(AF_INET, *dst);
    } else if (*ethertype == k_ethertype_ipv6) {
      auto hdr = r.sub(40);
      if (!hdr || !hdr->skip(6)) return std::nullopt;
      auto next = hdr->u8(); // extension headers are not followed: attempts do not carry them
      if (!next || !hdr->skip(1)) return std::nullopt;
      proto = *next;
      auto src = hdr->bytes(16);
      auto dst = hdr->bytes(16);
      if (!src || !dst) return std::nullopt;
      a.source = address_text(AF_INET6, *src);
      a.destination = address_text(AF_INET6, *dst);
    } else {
      return std::nullopt;
    }
    if (a.destination.empty() || !decode_transport(r, proto, a)) return std::nullopt;
    return a;
  } catch (...) {
    return std::nullopt; // string allocation failure: an attempt we cannot report
  }
}

DirectWatch::DirectWatch(base::Fd packet_socket, std::function<void(const DirectAttempt&)> on_attempt)
    : m_fd(std::move(packet_socket)), m_wake(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
      m_on_attempt(std::move(on_attempt)) {
  if (m_fd) m_thread = std::thread([this] { loop(); });
}

DirectWatch::~DirectWatch() { stop(); }

void DirectWatch::stop() {
  if (!m_thread.joinable()) return;
  std::uint64_t one = 1;
  (void)!::write(m_wake.get(), &one, sizeof one);
  m_thread.join();
}

void DirectWatch::loop() {
  std::uint8_t buf[512];
  bool stopping = false;
  for (;;) {
    pollfd p[2] = {{m_fd.get(), POLLIN, 0}, {m_wake.get(), POLLIN, 0}};
    int n = ::poll(p, 2, stopping ? 0 : -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return;
    if ((p[1].revents & POLLIN) != 0) stopping = true;
    if ((p[0].revents & (POLLHUP | POLLNVAL)) != 0) return; // the socket is gone: nothing more to see
    // POLLERR too: the recv below returns the pending error and clears it, or poll would report
    // it again at once and the thread would spin.
    if ((p[0].revents & (POLLIN | POLLERR)) == 0) {
      if (stopping) return; // nothing left queued
      continue;
    }
    ssize_t len = ::recv(m_fd.get(), buf, sizeof buf, MSG_DONTWAIT | MSG_TRUNC);
    if (len <= 0) continue;
    std::size_t got = std::min(static_cast<std::size_t>(len), sizeof buf);
    auto a = decode_direct_attempt(std::span<const std::uint8_t>(buf, got));
    if (!a) {
      m_ignored.fetch_add(1);
      continue;
    }
    a->time_us = base::now_unix_us();
    if (m_on_attempt) m_on_attempt(*a);
  }
}

} // namespace netmap::sandbox
