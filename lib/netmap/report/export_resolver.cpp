// Allowlist-only resolvers: every listed name is forwarded (or resolved), every other name gets
// NXDOMAIN — the answer the sandbox's own resolver gives for names off its list.

#include "netmap/report/export_util.hpp"
#include "netmap/report/exporter.hpp"

#include <algorithm>

namespace netmap::report {

namespace {

std::string dnsmasq_server(const Upstream& u) {
  return u.address + (u.port == 53 ? "" : "#" + std::to_string(u.port));
}

std::string unbound_addr(const Upstream& u) {
  return u.address + (u.port == 53 ? "" : "@" + std::to_string(u.port));
}

} // namespace

// dnsmasq (man dnsmasq, --server/--address; wildcards need >= 2.86): server=/x/UP forwards x and
// every name below it; server=/*.x/UP only the names below; the more specific pattern wins, so an
// exact host is server=/x/UP plus server=/*.x/ with no address (local only: NXDOMAIN); a domain
// with no address and no more specific server answers NXDOMAIN, so address=/#/ refuses the rest.
std::string export_dnsmasq(const ExportInput& in, const std::string& upstream) {
  std::vector<std::string> left = left_out_notes(in, policy::Target::Dnsmasq);
  auto entries = drop_impossible(collect_entries(in, policy::Target::Dnsmasq), left);
  auto denies = drop_impossible(collect_denies(in, policy::Target::Dnsmasq), left);
  auto ups = export_upstreams(in, upstream);
  std::string out =
      "# netmap export --target dnsmasq: an allowlist-only resolver (dnsmasq >= 2.86).\n"
      "# Listed names are forwarded upstream; every other name is answered NXDOMAIN (address=/#/).\n";
  std::vector<std::string> targets;
  if (ups.empty()) {
    out += "# No upstream given (--upstream or dns.custom_resolvers): '#' forwards to the servers in\n"
           "# /etc/resolv.conf.\n";
    targets.push_back("#");
  } else {
    out += "no-resolv\n";
    for (const auto& u : ups) targets.push_back(dnsmasq_server(u));
  }
  for (const auto& n : left) out += "# " + n + "\n";
  for (const auto& e : entries) {
    out += "# " + entry_comment(e) + "\n";
    for (const auto& t : targets) out += "server=/" + e.translation.text + "/" + t + "\n";
    if (e.translation.effective == policy::MatchKind::Exact) out += "server=/*." + e.translation.text + "/\n";
  }
  for (const auto& e : denies) {
    out += "# " + entry_comment(e) + "\n";
    out += "address=/" + e.translation.text + "/\n";
  }
  out += "# every other name: NXDOMAIN\naddress=/#/\n";
  return out;
}

// unbound (man unbound.conf, local-zone): a local-zone covers its apex and every name below it,
// and the most specific zone decides. "." always_nxdomain refuses every name; a transparent zone
// for an allowed domain lets its names resolve normally (recursively, or via a forward-zone).
// Local zones only act on clients' queries, not on unbound's own iterative lookups.
std::string export_unbound(const ExportInput& in, const std::string& upstream) {
  std::vector<std::string> left = left_out_notes(in, policy::Target::Unbound);
  auto entries = drop_impossible(collect_entries(in, policy::Target::Unbound), left);
  auto denies = drop_impossible(collect_denies(in, policy::Target::Unbound), left);
  // One zone cannot be both transparent and always_nxdomain (unbound warns and keeps one); the
  // refusal wins, as deny does in netmap, so the allowed names below it are lost: say so.
  std::erase_if(entries, [&](const ExportEntry& e) {
    auto same = std::find_if(denies.begin(), denies.end(), [&](const ExportEntry& d) { return d.translation.text == e.translation.text; });
    if (same == denies.end()) return false;
    left.push_back("left out: " + e.rule.text() + " (" + e.reason + "): its zone " + e.translation.text + " is refused by " +
                   same->rule.text() + " (" + same->reason + "), and unbound keeps one type per zone");
    return true;
  });
  auto ups = export_upstreams(in, upstream);
  std::string out =
      "# netmap export --target unbound: an allowlist-only resolver.\n"
      "# Listed zones resolve normally; every other name is answered NXDOMAIN.\n";
  for (const auto& n : left) out += "# " + n + "\n";
  out += "server:\n    local-zone: \".\" always_nxdomain\n";
  for (const auto& e : entries)
    out += "    # " + entry_comment(e) + "\n    local-zone: \"" + e.translation.text + ".\" transparent\n";
  for (const auto& e : denies)
    out += "    # " + entry_comment(e) + "\n    local-zone: \"" + e.translation.text + ".\" always_nxdomain\n";
  if (ups.empty()) {
    out += "# No upstream given (--upstream or dns.custom_resolvers): unbound resolves allowed names\n"
           "# itself, from the root servers.\n";
    return out;
  }
  for (const auto& e : entries) {
    out += "forward-zone:\n    name: \"" + e.translation.text + ".\"\n";
    for (const auto& u : ups) out += "    forward-addr: " + unbound_addr(u) + "\n";
  }
  return out;
}

} // namespace netmap::report
