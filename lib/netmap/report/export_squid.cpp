// squid.conf fragment for an allowlisting forward proxy. dstdomain 'x' is that host, '.x' the host
// and every name below it (squid.conf.documented, acl dstdomain). Rules are read top to bottom and
// the first matching http_access line decides, so refusals come first and "deny all" last.

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

} // namespace

std::string export_squid(const ExportInput& in) {
  std::vector<std::string> left = left_out_notes(in, policy::Target::Squid);
  auto entries = drop_impossible(collect_entries(in, policy::Target::Squid), left);
  auto denies = drop_impossible(collect_denies(in, policy::Target::Squid), left);
  // CONNECT (HTTPS) is limited to the TLS ports the build was seen using, plain HTTP to those and 80.
  std::set<std::uint16_t> ssl{443}, safe{80, 443};
  for (const auto& e : entries)
    for (auto p : e.ports) {
      safe.insert(p);
      if (p != 80) ssl.insert(p);
    }
  std::string out =
      "# netmap export --target squid: an allowlisting forward proxy.\n"
      "# dstdomain 'x' admits that host only, '.x' the host and every name below it.\n"
      "# Listen where the sandbox reaches the proxy; loopback by default.\n"
      "http_port 127.0.0.1:3128\n\n";
  for (const auto& n : left) out += "# " + n + "\n";
  acl_lines(out, "netmap_allowed", entries);
  if (!denies.empty()) out += "\n";
  acl_lines(out, "netmap_denied", denies);
  out += "\nacl SSL_ports port" + port_list(ssl) + "\nacl Safe_ports port" + port_list(safe) + "\n";
  out += "acl CONNECT method CONNECT\n";
  if (!in.policy->methods.empty()) {
    std::string m;
    for (const auto& x : in.policy->methods) m += " " + x;
    // A CONNECT tunnel hides the methods inside it; only plain HTTP requests can be limited.
    out += "acl netmap_methods method" + m + "\n";
  }
  out += "\nhttp_access deny !Safe_ports\nhttp_access deny CONNECT !SSL_ports\n";
  if (!denies.empty()) out += "http_access deny netmap_denied\n";
  if (!in.policy->methods.empty()) out += "http_access deny !CONNECT !netmap_methods\n";
  if (!entries.empty()) out += "http_access allow netmap_allowed\n";
  out += "http_access deny all\n";
  return out;
}

} // namespace netmap::report
