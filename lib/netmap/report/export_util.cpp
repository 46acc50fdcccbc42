#include "netmap/report/export_util.hpp"

#include "netmap/base/error.hpp"
#include "netmap/base/text.hpp"
#include "netmap/policy/domain_name.hpp"

#include <charconv>

namespace netmap::report {

std::vector<std::string> entry_texts(const ExportEntry& e) { return base::split(e.translation.text, "\n"); }

std::string entry_comment(const ExportEntry& e) {
  return e.reason + (e.translation.note.empty() ? "" : "; " + e.translation.note);
}

std::vector<std::string> entry_notes(const ExportInput& in, policy::Target t, const std::vector<ExportEntry>& allows,
                                     const std::vector<ExportEntry>& denies) {
  std::vector<std::string> out;
  for (const auto* list : {&allows, &denies})
    for (const auto& e : *list)
      if (!e.translation.note.empty()) out.push_back(e.rule.text() + " (" + e.reason + "): " + e.translation.note);
  for (auto& n : left_out_notes(in, t)) out.push_back(std::move(n));
  return out;
}

std::vector<ExportEntry> drop_impossible(std::vector<ExportEntry> entries, std::vector<std::string>& left_out) {
  std::erase_if(entries, [&](const ExportEntry& e) {
    if (e.translation.fidelity != policy::Translation::Fidelity::Impossible) return false;
    left_out.push_back("left out: " + e.rule.text() + " (" + e.reason + "): " + e.translation.note);
    return true;
  });
  return entries;
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
    for (const auto& part : base::split(upstream, ",")) out.push_back(parse_upstream(part));
    return out;
  }
  for (const auto& r : in.policy->custom_resolvers) out.push_back(parse_upstream(r));
  return out;
}

} // namespace netmap::report
