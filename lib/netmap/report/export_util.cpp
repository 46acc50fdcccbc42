#include "netmap/report/export_util.hpp"

#include "netmap/report/export_plan.hpp"

#include "netmap/base/error.hpp"
#include "netmap/base/text.hpp"
#include "netmap/policy/domain_name.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>
#include <fstream>

namespace netmap::report {

std::vector<std::string> entry_texts(const ExportEntry& e) { return base::split(e.translation.text, "\n"); }

std::string entry_comment(const ExportEntry& e) {
  return e.reason + (e.translation.note.empty() ? "" : "; " + e.translation.note);
}

std::vector<std::string> plan_notes(const ExportPlan& plan) {
  std::vector<std::string> out;
  for (const auto* list : {&plan.allows, &plan.denies})
    for (const auto& e : *list)
      if (!e.translation.note.empty()) out.push_back(e.rule.text() + " (" + e.reason + "): " + e.translation.note);
  out.insert(out.end(), plan.left_out.begin(), plan.left_out.end());
  out.insert(out.end(), plan.unenforced.begin(), plan.unenforced.end());
  return out;
}

namespace {

std::uint16_t parse_port(std::string_view s, const std::string& text) {
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v == 0 || v > 65535)
    throw base::UserError("upstream '" + base::escape_bytes(text) + "' has a bad port", "write ADDR, ADDR#PORT or [IPv6]:PORT");
  return static_cast<std::uint16_t>(v);
}

} // namespace

Upstream parse_upstream(const std::string& text) {
  Upstream u;
  std::string_view t = base::trim(text);
  std::string_view addr = t;
  if (t.starts_with("[")) {
    auto close = t.find(']');
    if (close == std::string_view::npos) throw base::UserError("upstream '" + base::escape_bytes(text) + "' lacks ']'");
    addr = t.substr(1, close - 1);
    auto rest = t.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':' && rest[0] != '#' && rest[0] != '@') throw base::UserError("upstream '" + base::escape_bytes(text) + "' is not ADDR or [ADDR]:PORT");
      u.port = parse_port(rest.substr(1), text);
    }
  } else if (auto sep = t.find_first_of("#@"); sep != std::string_view::npos) {
    addr = t.substr(0, sep);
    u.port = parse_port(t.substr(sep + 1), text);
  } else if (t.find(':') == t.rfind(':') && t.find(':') != std::string_view::npos) {
    addr = t.substr(0, t.find(':')); // one colon: IPv4 with a port
    u.port = parse_port(t.substr(t.find(':') + 1), text);
  }
  if (!policy::is_ip_literal(addr))
    throw base::UserError("upstream '" + base::escape_bytes(text) + "' is not an IP address",
                          "resolver configs forward to addresses, e.g. 10.0.0.53 or 10.0.0.53#5353");
  u.address = std::string(addr);
  return u;
}

std::vector<Upstream> export_upstreams(const ExportInput& in, const std::string& upstream) {
  std::vector<Upstream> out;
  if (!upstream.empty()) {
    // Split by hand: base::split drops empty fields, and "10.0.0.53,," is a list gone wrong.
    std::size_t start = 0;
    for (;;) {
      auto comma = upstream.find(',', start);
      std::string part = upstream.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (base::trim(part).empty())
        throw base::UserError("upstream list '" + base::escape_bytes(upstream) + "' has an empty element",
                              "separate addresses with single commas, e.g. 10.0.0.53,10.0.0.54#5353");
      out.push_back(parse_upstream(part));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    return out;
  }
  for (const auto& r : in.policy->custom_resolvers) out.push_back(parse_upstream(r));
  return out;
}

std::vector<Upstream> resolv_conf_upstreams(const std::string& path) {
  std::vector<Upstream> out;
  std::ifstream file(path);
  std::string line;
  while (std::getline(file, line)) {
    auto words = base::split(line, " \t\r");
    if (words.size() < 2 || words[0] != "nameserver") continue;
    std::string addr = words[1];
    if (auto pct = addr.find('%'); pct != std::string::npos) addr.resize(pct); // a link-local scope is the host's own
    if (policy::is_ip_literal(addr)) out.push_back(Upstream{addr, 53});
  }
  return out;
}

bool is_loopback(const Upstream& u) {
  in_addr v4{};
  if (::inet_pton(AF_INET, u.address.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (::inet_pton(AF_INET6, u.address.c_str(), &v6) != 1) return false;
  if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
  return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
}

} // namespace netmap::report
