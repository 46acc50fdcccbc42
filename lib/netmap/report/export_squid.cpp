// squid.conf fragment for an allowlisting forward proxy. dstdomain 'x' is that host, '.x' the host
// and every name below it (squid.conf.documented, acl dstdomain). Rules are read top to bottom and
// the first matching http_access line decides, so refusals come first and "deny all" last.

#include "netmap/report/export_plan.hpp"
#include "netmap/report/export_util.hpp"
#include "netmap/report/exporter.hpp"

#include <set>

namespace netmap::report {

namespace {

std::string port_list(const std::set<std::uint16_t>& ports) {
  std::string s;
  for (auto p : ports) s += " " + std::to_string(p);
  return s;
}

void acl_lines(std::string& out, const char* acl, const std::vector<ExportEntry>& entries) {
  for (const auto& e : entries) {
    out += "# " + entry_comment(e) + "\n";
    for (const auto& t : entry_texts(e)) out += std::string("acl ") + acl + " dstdomain " + t + "\n";
  }
}

// CONNECT tunnels carry TLS: only ports a name was seen using for TLS (SNI, QUIC, a CONNECT) may
// be tunnelled to; a port seen only for plain HTTP or DNS is no reason to open CONNECT to it.
std::set<std::uint16_t> tls_ports(const ExportInput& in, const ExportPlan& plan) {
  std::set<std::uint16_t> ssl{443};
  if (!in.inventory) return ssl;
  for (const auto& [name, d] : in.inventory->domains) {
    if (!d.via.contains("sni") && !d.via.contains("quic") && !d.via.contains("connect")) continue;
    auto dn = policy::DomainName::parse(name);
    if (!dn || !plan.decide(dn.value()).reachable()) continue;
    bool by_dns = d.via.contains("dns") || d.via.contains("resolver");
    for (auto p : d.ports)
      if (p != 80 && !(by_dns && p == 53)) ssl.insert(p);
  }
  return ssl;
}

} // namespace

std::string export_squid(const ExportInput& in) {
  auto plan = plan_export(in, policy::Target::Squid);
  // Plain HTTP is limited to the ports seen and 80; CONNECT (HTTPS) to the TLS ports seen.
  std::set<std::uint16_t> ssl = tls_ports(in, plan), safe{80, 443};
  for (const auto& e : plan.allows) safe.insert(e.ports.begin(), e.ports.end());
  safe.insert(ssl.begin(), ssl.end());
  std::string out =
      "# netmap export --target squid: an allowlisting forward proxy.\n"
      "# dstdomain 'x' admits that host only, '.x' the host and every name below it.\n"
      "# Listen where the sandbox reaches the proxy; loopback by default.\n"
      "http_port 127.0.0.1:3128\n\n";
  for (const auto& n : plan.left_out) out += "# " + n + "\n";
  for (const auto& n : plan.unenforced) out += "# " + n + "\n";
  acl_lines(out, "netmap_allowed", plan.allows);
  if (!plan.denies.empty()) out += "\n";
  acl_lines(out, "netmap_denied", plan.denies);
  out += "\nacl SSL_ports port" + port_list(ssl) + "\nacl Safe_ports port" + port_list(safe) + "\n";
  out += "acl CONNECT method CONNECT\n";
  if (!in.policy->methods.empty()) {
    std::string m;
    for (const auto& x : in.policy->methods) m += " " + x;
    out += "# methods: only plain HTTP requests are limited; a CONNECT tunnel hides the methods inside it\n";
    out += "acl netmap_methods method" + m + "\n";
  }
  out += "\nhttp_access deny !Safe_ports\nhttp_access deny CONNECT !SSL_ports\n";
  if (!plan.denies.empty()) out += "http_access deny netmap_denied\n";
  if (!in.policy->methods.empty()) out += "http_access deny !CONNECT !netmap_methods\n";
  if (!plan.allows.empty()) out += "http_access allow netmap_allowed\n";
  if (plan.allow_all) out += "# " + entry_comment(*plan.allow_all) + ": every other name\nhttp_access allow all\n";
  else out += "http_access deny all\n";
  return out;
}

} // namespace netmap::report
