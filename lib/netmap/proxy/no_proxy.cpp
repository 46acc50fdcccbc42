#include "netmap/proxy/no_proxy.hpp"

#include "netmap/base/text.hpp"

#include <algorithm>


namespace netmap::proxy {

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
      if (auto c = base::parse_cidr(entry)) np.m_nets.push_back(*c);
      continue;
    }
    std::string_view e = strip_port(entry);
    if (base::sockaddr_of(e, 0)) {
      if (auto c = base::parse_cidr(e)) np.m_nets.push_back(*c); // a bare address: one host
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
  if (auto ip = base::sockaddr_of(host, 0)) {
    const auto* sa = reinterpret_cast<const sockaddr*>(&ip->ss);
    if (base::is_loopback(sa) || m_all) return true;
    for (const auto& n : m_nets)
      if (n.contains(sa)) return true;
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
