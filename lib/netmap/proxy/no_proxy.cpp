#include "netmap/proxy/no_proxy.hpp"

#include "netmap/base/text.hpp"

#include <arpa/inet.h>

#include <algorithm>

#include <charconv>
#include <cstring>

namespace netmap::proxy {

bool Cidr::contains(const std::array<std::uint8_t, 16>& addr) const noexcept {
  int bits = prefix;
  for (std::size_t i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    auto mask = static_cast<std::uint8_t>(bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff);
    if ((addr[i] & mask) != (address[i] & mask)) return false;
  }
  return true;
}

std::optional<std::array<std::uint8_t, 16>> parse_ip(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  if (text.empty() || text.size() > 45) return std::nullopt;
  std::string s(text);
  std::array<std::uint8_t, 16> out{};
  in_addr v4{};
  if (::inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    out[10] = 0xff;
    out[11] = 0xff;
    std::memcpy(out.data() + 12, &v4, 4);
    return out;
  }
  in6_addr v6{};
  if (::inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    std::memcpy(out.data(), &v6, 16);
    return out;
  }
  return std::nullopt;
}

bool is_loopback(const std::array<std::uint8_t, 16>& addr) noexcept {
  static const std::array<std::uint8_t, 16> one{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  if (addr == one) return true;
  bool mapped = std::all_of(addr.begin(), addr.begin() + 10, [](std::uint8_t b) { return b == 0; }) &&
                addr[10] == 0xff && addr[11] == 0xff;
  return mapped && addr[12] == 127;
}

std::optional<Cidr> parse_cidr(std::string_view text) {
  auto slash = text.find('/');
  auto ip = parse_ip(text.substr(0, slash));
  if (!ip) return std::nullopt;
  bool v4 = text.substr(0, slash).find(':') == std::string_view::npos;
  Cidr c;
  c.address = *ip;
  c.prefix = 128;
  if (slash != std::string_view::npos) {
    auto num = text.substr(slash + 1);
    int p = -1;
    auto [end, ec] = std::from_chars(num.data(), num.data() + num.size(), p);
    if (ec != std::errc() || end != num.data() + num.size() || num.empty()) return std::nullopt;
    if (p < 0 || p > (v4 ? 32 : 128)) return std::nullopt;
    c.prefix = v4 ? p + 96 : p;
  }
  return c;
}

namespace {

// Strips a ":port" suffix (curl ignores ports in no_proxy entries and hosts alike) and brackets.
std::string_view strip_port(std::string_view s) {
  if (!s.empty() && s.front() == '[') {
    auto close = s.find(']');
    return close == std::string_view::npos ? s : s.substr(1, close - 1);
  }
  // More than one ':' is a bare IPv6 literal, which keeps its colons.
  auto first = s.find(':');
  if (first != std::string_view::npos && s.find(':', first + 1) == std::string_view::npos) return s.substr(0, first);
  return s;
}

bool is_loopback_name(std::string_view host) {
  return host == "localhost" || (host.size() > 10 && host.substr(host.size() - 10) == ".localhost");
}

} // namespace

NoProxy NoProxy::parse(std::string_view list) {
  NoProxy np;
  np.m_text = std::string(list);
  for (const auto& raw : base::split(list, ", \t")) {
    std::string entry = base::ascii_lower(raw);
    if (entry == "*") {
      np.m_all = true;
      continue;
    }
    if (entry.find('/') != std::string::npos) {
      if (auto c = parse_cidr(entry)) np.m_nets.push_back(*c);
      continue;
    }
    std::string_view e = strip_port(entry);
    if (auto ip = parse_ip(e)) {
      np.m_nets.push_back(Cidr{*ip, 128});
      continue;
    }
    while (!e.empty() && e.front() == '.') e.remove_prefix(1);
    if (e.size() > 2 && e.substr(0, 2) == "*.") e.remove_prefix(2); // common, though curl lacks it
    while (!e.empty() && e.back() == '.') e.remove_suffix(1);
    if (!e.empty()) np.m_names.emplace_back(e);
  }
  return np;
}

bool NoProxy::bypass(std::string_view host_in) const {
  std::string lower = base::ascii_lower(host_in);
  std::string_view host = strip_port(lower);
  while (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (auto ip = parse_ip(host)) {
    if (is_loopback(*ip) || m_all) return true;
    for (const auto& n : m_nets)
      if (n.contains(*ip)) return true;
    return false;
  }
  if (is_loopback_name(host) || m_all) return true;
  for (const auto& n : m_names) {
    if (host == n) return true;
    if (host.size() > n.size() && host.substr(host.size() - n.size()) == n && host[host.size() - n.size() - 1] == '.')
      return true;
  }
  return false;
}

} // namespace netmap::proxy
