// Allowlist-only resolvers: every listed name is forwarded (or resolved), every other name gets
// NXDOMAIN — the answer the sandbox's own resolver gives for names off its list.

#include "netmap/base/error.hpp"
#include "netmap/report/export_plan.hpp"
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

std::string addresses(const std::vector<Upstream>& ups) {
  std::string s;
  for (const auto& u : ups) s += (s.empty() ? "" : ", ") + u.address;
  return s;
}

// The lines every export carries in its head: what was left out and what the target drops.
std::string head_notes(const ExportPlan& plan, const char* indent) {
  std::string out;
  for (const auto& n : plan.left_out) out += indent + ("# " + n) + "\n";
  for (const auto& n : plan.unenforced) out += indent + ("# " + n) + "\n";
  return out;
}

} // namespace

// dnsmasq (man dnsmasq, --server/--address; wildcards need >= 2.86): server=/x/UP forwards x and
// every name below it; server=/*.x/UP only the names below; the more specific pattern wins, so an
// exact host is server=/x/UP plus server=/*.x/ with no address (local only: NXDOMAIN); a domain
// with no address and no more specific server answers NXDOMAIN, so address=/#/ refuses the rest.
// Always no-resolv: the servers dnsmasq reads from resolv.conf are its default servers, and a
// default server answers every name no address= line refuses — address=/#/ does not override it.
std::string export_dnsmasq(const ExportInput& in, const std::string& upstream, const std::string& resolv_conf) {
  auto plan = plan_export(in, policy::Target::Dnsmasq);
  auto ups = export_upstreams(in, upstream);
  bool from_resolv_conf = ups.empty();
  if (from_resolv_conf) {
    ups = resolv_conf_upstreams(resolv_conf);
    if (ups.empty())
      throw base::UserError("dnsmasq needs an upstream: none given with --upstream, none in the policy's dns.custom_resolvers, and " +
                                resolv_conf + " names no nameserver",
                            "name one with --upstream ADDR[#PORT]");
  }
  std::vector<std::string> targets;
  for (const auto& u : ups) targets.push_back(dnsmasq_server(u));
  std::string out = "# netmap export --target dnsmasq: an allowlist-only resolver (dnsmasq >= 2.86).\n";
  out += plan.allow_all ? "# Every name is forwarded upstream (allow rule *), except the refusals below.\n"
                        : "# Listed names are forwarded upstream; every other name is answered NXDOMAIN (address=/#/).\n";
  out += "# no-resolv: dnsmasq would otherwise forward every unlisted name to the servers of resolv.conf;\n"
         "# for the same reason, no plain server=ADDR line (without /domain/) may be added elsewhere.\n";
  if (from_resolv_conf)
    out += "# Upstream: the nameservers of " + resolv_conf + " where this was exported (" + addresses(ups) +
           "), as no --upstream\n# or dns.custom_resolvers was given; this dnsmasq's own address must not be one of them.\n";
  out += "no-resolv\n";
  out += head_notes(plan, "");
  for (const auto& e : plan.allows) {
    out += "# " + entry_comment(e) + "\n";
    for (const auto& t : targets) out += "server=/" + e.translation.text + "/" + t + "\n";
    if (e.translation.effective == policy::MatchKind::Exact) out += "server=/*." + e.translation.text + "/\n";
  }
  if (plan.allow_all) {
    out += "# " + entry_comment(*plan.allow_all) + ": every other name is forwarded\n";
    for (const auto& t : targets) out += "server=" + t + "\n";
  }
  for (const auto& e : plan.denies) {
    out += "# " + entry_comment(e) + "\n";
    out += "address=/" + e.translation.text + "/\n";
    // address=/x/ also answers for the names below x; give back those an allow entry admits
    // (unless that entry's own server=/*.x/ line already does).
    const std::string below = "*." + e.translation.text;
    bool written = std::any_of(plan.allows.begin(), plan.allows.end(), [&](const ExportEntry& a) { return a.translation.text == below; });
    if (e.translation.effective == policy::MatchKind::Exact && !written && plan.admits_all_below(e.rule.domain))
      for (const auto& t : targets) out += "server=/" + below + "/" + t + "\n";
  }
  if (!plan.allow_all) out += "# every other name: NXDOMAIN\naddress=/#/\n";
  return out;
}

// unbound (man unbound.conf, local-zone): a local-zone covers its apex and every name below it,
// and the most specific zone decides. "." always_nxdomain refuses every name; a transparent zone
// for an allowed domain lets its names resolve normally (recursively, or via a forward-zone).
// Local zones only act on clients' queries, not on unbound's own iterative lookups.
std::string export_unbound(const ExportInput& in, const std::string& upstream) {
  auto plan = plan_export(in, policy::Target::Unbound);
  auto ups = export_upstreams(in, upstream);
  std::string out = "# netmap export --target unbound: an allowlist-only resolver.\n";
  out += plan.allow_all ? "# Every name resolves (allow rule *), except the refused zones below.\n"
                        : "# Listed zones resolve normally; every other name is answered NXDOMAIN.\n";
  out += head_notes(plan, "");
  out += "server:\n";
  if (std::any_of(ups.begin(), ups.end(), is_loopback))
    out += "    # a forwarder on loopback: unbound never queries localhost unless told it may\n"
           "    do-not-query-localhost: no\n";
  if (plan.allow_all) out += "    # " + entry_comment(*plan.allow_all) + ": no \".\" always_nxdomain zone\n";
  else out += "    local-zone: \".\" always_nxdomain\n";
  for (const auto& e : plan.allows)
    out += "    # " + entry_comment(e) + "\n    local-zone: \"" + e.translation.text + ".\" transparent\n";
  for (const auto& e : plan.denies)
    out += "    # " + entry_comment(e) + "\n    local-zone: \"" + e.translation.text + ".\" always_nxdomain\n";
  if (ups.empty()) {
    out += "# No upstream given (--upstream or dns.custom_resolvers): unbound resolves allowed names\n"
           "# itself, from the root servers.\n";
    return out;
  }
  auto forward = [&](const std::string& zone) {
    out += "forward-zone:\n    name: \"" + zone + "\"\n";
    for (const auto& u : ups) out += "    forward-addr: " + unbound_addr(u) + "\n";
  };
  for (const auto& e : plan.allows) forward(e.translation.text + ".");
  if (plan.allow_all) forward(".");
  return out;
}

} // namespace netmap::report
