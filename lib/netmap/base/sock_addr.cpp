#include "netmap/base/sock_addr.hpp"

#include "netmap/base/error.hpp"
#include "netmap/base/text.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace netmap::base {

namespace {

std::optional<std::uint16_t> parse_port(std::string_view s) {
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v > 65535 || s.empty()) return std::nullopt;
  return static_cast<std::uint16_t>(v);
}

bool to_addr(std::string_view host, SockAddr& out, std::uint16_t port) {
  if (host.empty() || host.size() > 45) return false;
  char buf[64];
  host.copy(buf, host.size());
  buf[host.size()] = '\0';
  sockaddr_in v4{};
  sockaddr_in6 v6{};
  if (inet_pton(AF_INET, buf, &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    v4.sin_port = htons(port);
    std::memcpy(&out.ss, &v4, sizeof v4);
    out.len = sizeof v4;
    return true;
  }
  if (inet_pton(AF_INET6, buf, &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(port);
    std::memcpy(&out.ss, &v6, sizeof v6);
    out.len = sizeof v6;
    return true;
  }
  return false;
}

} // namespace

std::optional<SockAddr> sockaddr_of(std::string_view ip, std::uint16_t port) {
  if (ip.size() >= 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
  SockAddr a;
  if (!to_addr(ip, a, port)) return std::nullopt;
  return a;
}

std::optional<SockAddr> parse_sockaddr(std::string_view text, std::uint16_t default_port) {
  SockAddr out;
  std::string_view host = text;
  std::uint16_t port = default_port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = text.substr(1, close - 1);
    auto rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      auto p = parse_port(rest.substr(1));
      if (!p) return std::nullopt;
      port = *p;
    }
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    auto colon = text.find(':');
    host = text.substr(0, colon);
    auto p = parse_port(text.substr(colon + 1));
    if (!p) return std::nullopt;
    port = *p;
  }
  if (!to_addr(host, out, port)) return std::nullopt;
  return out;
}

SockAddr require_sockaddr(std::string_view text, std::uint16_t default_port, std::string_view what) {
  // Only the exact name: resolving others could bind or forward somewhere unexpected.
  std::string numeric(text);
  if (text == "localhost" || text.starts_with("localhost:")) numeric = "127.0.0.1" + numeric.substr(9);
  if (auto a = parse_sockaddr(numeric, default_port)) return *a;
  std::string port = std::to_string(default_port);
  throw UserError(std::string(what) + " '" + escape_bytes(text) + "' is not ADDR, ADDR:PORT or [V6]:PORT",
                  "numeric addresses, e.g. 127.0.0.1:" + port + " or [::1]:" + port);
}

SockAddr require_destination(std::string_view text, std::uint16_t default_port, std::string_view what) {
  SockAddr a = require_sockaddr(text, default_port, what);
  if (a.port() == 0)
    throw UserError(std::string(what) + " '" + escape_bytes(text) + "' has port 0, which nothing can be sent to",
                    "leave the port out for " + std::to_string(default_port) + ", or give the one it listens on");
  return a;
}

std::string sockaddr_text(const sockaddr* sa, socklen_t) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (sa->sa_family == AF_INET) {
    sockaddr_in v4;
    std::memcpy(&v4, sa, sizeof v4);
    inet_ntop(AF_INET, &v4.sin_addr, buf, sizeof buf);
  } else if (sa->sa_family == AF_INET6) {
    sockaddr_in6 v6;
    std::memcpy(&v6, sa, sizeof v6);
    if (IN6_IS_ADDR_V4MAPPED(&v6.sin6_addr)) inet_ntop(AF_INET, &v6.sin6_addr.s6_addr[12], buf, sizeof buf);
    else inet_ntop(AF_INET6, &v6.sin6_addr, buf, sizeof buf);
  }
  return buf;
}

std::string SockAddr::host() const { return sockaddr_text(reinterpret_cast<const sockaddr*>(&ss), len); }

std::uint16_t SockAddr::port() const noexcept {
  if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&ss)->sin_port);
  if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&ss)->sin6_port);
  return 0;
}

std::string SockAddr::str() const {
  if (ss.ss_family == AF_INET6) return "[" + host() + "]:" + std::to_string(port());
  return host() + ":" + std::to_string(port());
}

bool is_loopback(const sockaddr* sa) noexcept {
  if (sa->sa_family == AF_INET) {
    sockaddr_in v4;
    std::memcpy(&v4, sa, sizeof v4);
    return (ntohl(v4.sin_addr.s_addr) >> 24) == 127;
  }
  if (sa->sa_family == AF_INET6) {
    sockaddr_in6 v6;
    std::memcpy(&v6, sa, sizeof v6);
    if (IN6_IS_ADDR_LOOPBACK(&v6.sin6_addr)) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6.sin6_addr) && v6.sin6_addr.s6_addr[12] == 127;
  }
  return false;
}

std::uint64_t address_hash(const sockaddr* sa) noexcept {
  std::uint8_t bytes[16] = {};
  std::size_t n = 0;
  if (sa->sa_family == AF_INET) {
    sockaddr_in v4;
    std::memcpy(&v4, sa, sizeof v4);
    std::memcpy(bytes, &v4.sin_addr, 4);
    n = 4;
  } else if (sa->sa_family == AF_INET6) {
    sockaddr_in6 v6;
    std::memcpy(&v6, sa, sizeof v6);
    std::memcpy(bytes, &v6.sin6_addr, 16);
    n = 16;
  }
  std::uint64_t h = 1469598103934665603ull; // FNV-1a
  for (std::size_t i = 0; i < n; ++i) h = (h ^ bytes[i]) * 1099511628211ull;
  return h;
}

bool same_endpoint(const SockAddr& a, const SockAddr& b) noexcept {
  return a.ss.ss_family == b.ss.ss_family && a.host() == b.host() && a.port() == b.port();
}

std::optional<Cidr> parse_cidr(std::string_view text) {
  Cidr c;
  std::string_view host = text;
  std::optional<std::uint16_t> prefix;
  if (auto slash = text.find('/'); slash != std::string_view::npos) {
    host = text.substr(0, slash);
    prefix = parse_port(text.substr(slash + 1));
    if (!prefix) return std::nullopt;
  }
  SockAddr a;
  if (!to_addr(host, a, 0)) return std::nullopt;
  c.family = a.ss.ss_family;
  if (c.family == AF_INET) {
    std::memcpy(c.bytes, &reinterpret_cast<const sockaddr_in*>(&a.ss)->sin_addr, 4);
    c.prefix = prefix.value_or(32);
    if (c.prefix > 32) return std::nullopt;
  } else {
    std::memcpy(c.bytes, &reinterpret_cast<const sockaddr_in6*>(&a.ss)->sin6_addr, 16);
    c.prefix = prefix.value_or(128);
    if (c.prefix > 128) return std::nullopt;
  }
  return c;
}

bool Cidr::contains(const sockaddr* sa) const noexcept {
  const std::uint8_t* addr = nullptr;
  sockaddr_in v4;
  sockaddr_in6 v6;
  if (sa->sa_family == AF_INET) {
    std::memcpy(&v4, sa, sizeof v4);
    if (family != AF_INET) return false;
    addr = reinterpret_cast<const std::uint8_t*>(&v4.sin_addr);
  } else if (sa->sa_family == AF_INET6) {
    std::memcpy(&v6, sa, sizeof v6);
    if (family == AF_INET && IN6_IS_ADDR_V4MAPPED(&v6.sin6_addr)) addr = &v6.sin6_addr.s6_addr[12];
    else if (family == AF_INET6) addr = v6.sin6_addr.s6_addr;
    else return false;
  } else {
    return false;
  }
  unsigned full = prefix / 8, rest = prefix % 8;
  if (std::memcmp(addr, bytes, full) != 0) return false;
  if (rest == 0) return true;
  auto mask = static_cast<std::uint8_t>(0xFFu << (8 - rest));
  return (addr[full] & mask) == (bytes[full] & mask);
}

} // namespace netmap::base
