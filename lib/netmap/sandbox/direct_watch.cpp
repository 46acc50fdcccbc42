#include "netmap/sandbox/direct_watch.hpp"

#include "netmap/base/byte_reader.hpp"
#include "netmap/base/clock.hpp"
#include "netmap/sandbox/refusal.hpp"

#include <arpa/inet.h>
#include <algorithm>
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

// An echo request (RFC 792, RFC 4443 §4.1): a ping is an attempt too. Its identifier stands in
// for the source port: it is the local "port" of a ping socket in /proc/net/icmp.
bool decode_echo(base::ByteReader& r, std::uint8_t echo_request, DirectAttempt& a) {
  auto type = r.u8();
  if (!type || *type != echo_request || !r.skip(3)) return false; // code, checksum
  auto id = r.u16be();
  if (!id) return false;
  a.transport = "icmp";
  a.source_port = *id;
  a.port = 0;
  return true;
}

// The transport header: ports, and for TCP only the opening SYN counts (RFC 9293 §3.5), so a
// refused connection is one attempt, not its SYN and RST.
bool decode_transport(base::ByteReader& r, std::uint8_t proto, DirectAttempt& a) {
  if (proto == IPPROTO_ICMP) return decode_echo(r, 8, a);
  if (proto == IPPROTO_ICMPV6) return decode_echo(r, 128, a);
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

std::optional<DirectAttempt> decode_direct_packet(std::span<const std::uint8_t> packet) noexcept {
  try {
    base::ByteReader r(packet);
    auto vihl = r.peek();
    if (!vihl) return std::nullopt;
    DirectAttempt a;
    std::uint8_t proto = 0;
    if ((*vihl >> 4) == 4) {
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
    } else if ((*vihl >> 4) == 6) {
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

std::optional<DirectAttempt> decode_direct_attempt(std::span<const std::uint8_t> frame) noexcept {
  base::ByteReader r(frame);
  if (!r.skip(12)) return std::nullopt;
  auto ethertype = r.u16be();
  auto version = r.peek();
  if (!ethertype || !version) return std::nullopt;
  // The link header and the IP header must agree on the version.
  if (!(*ethertype == k_ethertype_ipv4 && (*version >> 4) == 4) && !(*ethertype == k_ethertype_ipv6 && (*version >> 4) == 6))
    return std::nullopt;
  return decode_direct_packet(r.rest());
}

DirectWatch::DirectWatch(base::Fd packet_socket, base::Fd tun, std::function<void(const DirectAttempt&)> on_attempt)
    : m_fd(std::move(packet_socket)), m_tun(std::move(tun)), m_wake(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
      m_on_attempt(std::move(on_attempt)) {
  if (m_tun) m_buf.resize(65536);
  if (m_fd || m_tun) m_thread = std::thread([this] { loop(); });
}

DirectWatch::~DirectWatch() { stop(); }

void DirectWatch::stop() {
  if (!m_thread.joinable()) return;
  std::uint64_t one = 1;
  (void)!::write(m_wake.get(), &one, sizeof one);
  m_thread.join();
}

void DirectWatch::read_packet_socket() {
  std::uint8_t buf[512];
  ssize_t len = ::recv(m_fd.get(), buf, sizeof buf, MSG_DONTWAIT | MSG_TRUNC);
  if (len <= 0) return;
  std::size_t got = std::min(static_cast<std::size_t>(len), sizeof buf);
  report(decode_direct_attempt(std::span<const std::uint8_t>(buf, got)));
}

void DirectWatch::report(std::optional<DirectAttempt> a) {
  if (!a) {
    m_ignored.fetch_add(1);
    return;
  }
  a->time_us = base::now_unix_us();
  if (m_on_attempt) m_on_attempt(*a);
}

void DirectWatch::read_tun() {
  ssize_t len = ::read(m_tun.get(), m_buf.data(), m_buf.size());
  if (len <= 0) return;
  std::span<const std::uint8_t> packet(m_buf.data(), static_cast<std::size_t>(len));
  // Reported first: until the answer below, the attempt's socket waits in SYN-SENT (or for its
  // datagram's reply) and its owner can be found.
  report(decode_direct_packet(packet));
  auto answer = refusal_for(packet);
  if (answer.empty()) return;
  // A failed write costs the fenced client a retry or a timeout, never a way out.
  if (::write(m_tun.get(), answer.data(), answer.size()) == static_cast<ssize_t>(answer.size())) m_refused.fetch_add(1);
}

void DirectWatch::loop() {
  bool stopping = false;
  for (;;) {
    // An empty fd (-1) is skipped by poll(2).
    pollfd p[3] = {{m_fd ? m_fd.get() : -1, POLLIN, 0}, {m_tun ? m_tun.get() : -1, POLLIN, 0}, {m_wake.get(), POLLIN, 0}};
    int n = ::poll(p, 3, stopping ? 0 : -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return;
    if ((p[2].revents & POLLIN) != 0) stopping = true;
    // The socket or the device is gone: nothing more to see from it.
    if ((p[0].revents & (POLLHUP | POLLNVAL)) != 0 || (p[1].revents & (POLLHUP | POLLNVAL)) != 0) return;
    // POLLERR too: the read returns the pending error and clears it, or poll would report it
    // again at once and the thread would spin.
    const bool from_socket = (p[0].revents & (POLLIN | POLLERR)) != 0;
    const bool from_tun = (p[1].revents & (POLLIN | POLLERR)) != 0;
    if (!from_socket && !from_tun) {
      if (stopping) return; // nothing left queued
      continue;
    }
    if (from_socket) read_packet_socket();
    if (from_tun) read_tun();
  }
}

} // namespace netmap::sandbox
