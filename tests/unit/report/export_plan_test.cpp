// What each target is given (export_plan) and what the exporters write from it: `explain --target`
// decides by the same plan, so every finding of the export audit is checked here against both.

#include "netmap/report/export_plan.hpp"
#include "netmap/report/export_util.hpp"
#include "netmap/report/exporter.hpp"

#include "netmap/base/error.hpp"
#include "netmap/policy/policy.hpp"

#include "unit/contact_helpers.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>

using namespace netmap;
using policy::Decision;
using policy::Target;

namespace {

policy::DomainName dn(const char* s) { return policy::DomainName::parse(s).value(); }

Decision on(const policy::Policy& p, Target t, const char* name) {
  return report::plan_export({&p, nullptr}, t).decide(dn(name)).decision;
}

bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

const char* k_deny_inside = R"(allow: ["**.example.com"]
deny: [bad.example.com]
mock: [mocked.example.com]
)";

} // namespace

// F1: with no upstream anywhere, the servers of resolv.conf are written out under no-resolv; a
// default server would answer every name address=/#/ is meant to refuse.
TEST(ExportPlan, DnsmasqWithoutUpstreamNeverFailsOpen) {
  auto pol = policy::parse_policy("allow: [a.example]\n", "netmap.yaml");
  std::string path = ::testing::TempDir() + "netmap-resolv.conf";
  std::ofstream(path) << "# comment\nsearch example\nnameserver 192.0.2.53\nnameserver fe80::1%eth0\noptions edns0\n";
  std::string out = report::export_dnsmasq({&pol, nullptr}, {}, path);
  EXPECT_TRUE(has(out, "\nno-resolv\n")) << out;
  EXPECT_TRUE(has(out, "server=/a.example/192.0.2.53\n")) << out;
  EXPECT_TRUE(has(out, "server=/a.example/fe80::1\n")) << out;
  EXPECT_TRUE(has(out, "the nameservers of " + path)) << out;
  EXPECT_TRUE(has(out, "\naddress=/#/\n")) << out;
  EXPECT_FALSE(has(out, "/#\n")) << "no '#' (dnsmasq's default servers) anywhere:\n" << out;
  std::ofstream(path) << "search example\n";
  EXPECT_THROW((void)report::export_dnsmasq({&pol, nullptr}, {}, path), base::UserError);
  std::remove(path.c_str());
}

// F2: unbound never queries a loopback forwarder unless told it may.
TEST(ExportPlan, UnboundMayQueryALoopbackUpstream) {
  auto pol = policy::parse_policy("allow: [a.example]\n", "netmap.yaml");
  EXPECT_TRUE(has(report::export_unbound({&pol, nullptr}, "127.0.0.1#5353"), "    do-not-query-localhost: no\n"));
  EXPECT_TRUE(has(report::export_unbound({&pol, nullptr}, "10.0.0.53,[::1]:53"), "do-not-query-localhost: no"));
  EXPECT_FALSE(has(report::export_unbound({&pol, nullptr}, "10.0.0.53"), "do-not-query-localhost"));
  EXPECT_TRUE(report::is_loopback({"127.1.2.3", 53}));
  EXPECT_TRUE(report::is_loopback({"::ffff:127.0.0.1", 53}));
  EXPECT_FALSE(report::is_loopback({"128.0.0.1", 53}));
  EXPECT_FALSE(report::is_loopback({"::2", 53}));
}

// F3: dnsmasq refuses x exactly: address=/x/ and the names below it handed back to the upstream
// where an allow entry admits them; explain agrees.
TEST(ExportPlan, DnsmasqRefusesAnExactNameExactly) {
  auto pol = policy::parse_policy(k_deny_inside, "netmap.yaml");
  std::string out = report::export_dnsmasq({&pol, nullptr}, "10.0.0.53");
  EXPECT_TRUE(has(out, "address=/bad.example.com/\nserver=/*.bad.example.com/10.0.0.53\n")) << out;
  EXPECT_TRUE(has(out, "address=/mocked.example.com/\nserver=/*.mocked.example.com/10.0.0.53\n")) << out;
  EXPECT_FALSE(has(out, "narrowed")) << out;
  EXPECT_EQ(on(pol, Target::Dnsmasq, "bad.example.com"), Decision::Denied);
  EXPECT_EQ(on(pol, Target::Dnsmasq, "mocked.example.com"), Decision::Mock);
  EXPECT_EQ(on(pol, Target::Dnsmasq, "x.bad.example.com"), Decision::Allowed);
  // Nothing admits the names below: they stay refused, and no server line opens them.
  auto lone = policy::parse_policy("allow: [a.example]\ndeny: [bad.example.com]\n", "netmap.yaml");
  EXPECT_FALSE(has(report::export_dnsmasq({&lone, nullptr}, "10.0.0.53"), "server=/*.bad.example.com/"));
  EXPECT_EQ(on(lone, Target::Dnsmasq, "x.bad.example.com"), Decision::Unlisted);
  // unbound can only refuse the zone: what is below is refused there, and explain says so.
  EXPECT_EQ(on(pol, Target::Unbound, "x.bad.example.com"), Decision::Denied);
}

// F4: targets without a deny list admit what their entries admit, refusals or not.
TEST(ExportPlan, TargetsWithoutADenyListAdmitDeniedNames) {
  auto pol = policy::parse_policy(k_deny_inside, "netmap.yaml");
  for (auto t : {Target::Codex, Target::Copilot, Target::Claude, Target::HardenRunner}) {
    EXPECT_EQ(on(pol, t, "bad.example.com"), Decision::Allowed) << policy::target_name(t);
    EXPECT_EQ(on(pol, t, "mocked.example.com"), Decision::Allowed) << policy::target_name(t);
    EXPECT_EQ(on(pol, t, "x.bad.example.com"), Decision::Allowed) << policy::target_name(t);
  }
  for (auto t : {Target::Srt, Target::Squid, Target::Unbound, Target::Dnsmasq})
    EXPECT_EQ(on(pol, t, "bad.example.com"), Decision::Denied) << policy::target_name(t);
}

// F5: '*' is left out where it cannot be written without taking the other entries with it, and
// written as each proxy's or resolver's own allow-everything where it can.
TEST(ExportPlan, AllowEverythingKeepsTheOtherEntries) {
  auto pol = policy::parse_policy("allow: [\"*\", exact.example.com]\ndeny: [bad.example.com]\n", "netmap.yaml");
  std::vector<std::string> notes;
  auto claude = nlohmann::json::parse(report::export_claude({&pol, nullptr}, notes));
  EXPECT_EQ(claude["sandbox"]["network"]["allowedDomains"], nlohmann::json::array({"exact.example.com"}));
  ASSERT_FALSE(notes.empty());
  EXPECT_TRUE(has(notes[0], "left out: * (allow rule at netmap.yaml:1:9): impossible: claude")) << notes[0];
  auto srt = nlohmann::json::parse(report::export_srt({&pol, nullptr}, notes));
  EXPECT_EQ(srt["network"]["allowedDomains"], nlohmann::json::array({"exact.example.com"}));
  std::string codex = report::export_codex({&pol, nullptr});
  EXPECT_FALSE(has(codex, "- \"*\"")) << codex;
  EXPECT_TRUE(has(codex, "- \"exact.example.com\"")) << codex;
  EXPECT_TRUE(has(codex, "'All (unrestricted)'")) << codex;
  EXPECT_EQ(on(pol, Target::Codex, "other.example"), Decision::Unlisted);
  EXPECT_EQ(on(pol, Target::Claude, "exact.example.com"), Decision::Allowed);

  std::string squid = report::export_squid({&pol, nullptr});
  EXPECT_TRUE(has(squid, "http_access deny netmap_denied\n# allow rule at netmap.yaml:1:9: every other name\nhttp_access allow all\n")) << squid;
  EXPECT_FALSE(has(squid, "deny all")) << squid;
  EXPECT_FALSE(has(squid, "impossible")) << squid;
  std::string dnsmasq = report::export_dnsmasq({&pol, nullptr}, "10.0.0.53");
  EXPECT_TRUE(has(dnsmasq, "\nserver=10.0.0.53\n")) << dnsmasq;
  EXPECT_TRUE(has(dnsmasq, "address=/bad.example.com/\nserver=/*.bad.example.com/10.0.0.53\n")) << dnsmasq;
  EXPECT_FALSE(has(dnsmasq, "address=/#/")) << dnsmasq;
  std::string unbound = report::export_unbound({&pol, nullptr}, "10.0.0.53");
  EXPECT_FALSE(has(unbound, "local-zone: \".\" always_nxdomain")) << unbound;
  EXPECT_TRUE(has(unbound, "local-zone: \"bad.example.com.\" always_nxdomain")) << unbound;
  EXPECT_TRUE(has(unbound, "forward-zone:\n    name: \".\"\n    forward-addr: 10.0.0.53\n")) << unbound;
  for (auto t : {Target::Squid, Target::Dnsmasq, Target::Unbound}) {
    EXPECT_EQ(on(pol, t, "other.example"), Decision::Allowed) << policy::target_name(t);
    EXPECT_EQ(on(pol, t, "bad.example.com"), Decision::Denied) << policy::target_name(t);
  }
}

// F8: a method restriction the target cannot hold is said, never dropped in silence.
TEST(ExportPlan, MethodsAreNotedWhereTheTargetCannotHoldThem) {
  auto pol = policy::parse_policy("allow: [a.example]\nmethods: [GET, HEAD, OPTIONS]\n", "netmap.yaml");
  std::string codex = report::export_codex({&pol, nullptr});
  EXPECT_TRUE(has(codex, "methods GET, HEAD, OPTIONS (netmap.yaml:2:10): select the environment's 'Allowed HTTP methods: GET, HEAD, OPTIONS' setting")) << codex;
  EXPECT_TRUE(has(report::export_copilot({&pol, nullptr}), "# not enforced: methods GET, HEAD, OPTIONS (netmap.yaml:2:10): copilot"));
  EXPECT_TRUE(has(report::export_harden_runner({&pol, nullptr}), "not enforced: methods GET, HEAD, OPTIONS"));
  EXPECT_TRUE(has(report::export_dnsmasq({&pol, nullptr}, "10.0.0.53"), "a resolver never sees HTTP methods"));
  std::vector<std::string> notes;
  (void)report::export_srt({&pol, nullptr}, notes);
  ASSERT_FALSE(notes.empty());
  EXPECT_TRUE(has(notes.back(), "not enforced: methods GET, HEAD, OPTIONS")) << notes.back();
  auto post = policy::parse_policy("allow: [a.example]\nmethods: [GET, POST]\n", "netmap.yaml");
  EXPECT_TRUE(has(report::export_codex({&post, nullptr}), "# not enforced: methods GET, POST"));
  EXPECT_TRUE(report::methods_note(pol, Target::Squid).empty());
}

// F9: CONNECT is opened only to ports seen carrying TLS.
TEST(ExportPlan, SquidConnectPortsComeFromTlsContacts) {
  auto pol = policy::parse_policy("presets: [none]\n", "netmap.yaml");
  inventory::Inventory inv;
  inv.add(test::contact("plain.example.com", inventory::SeenVia::HttpHost, 80));
  inv.add(test::contact("plain.example.com", inventory::SeenVia::HttpHost, 8080));
  inv.add(test::contact("tls.example.com", inventory::SeenVia::Sni, 443));
  inv.add(test::contact("tls.example.com", inventory::SeenVia::Sni, 8443));
  std::string squid = report::export_squid({&pol, &inv});
  EXPECT_TRUE(has(squid, "acl SSL_ports port 443 8443\n")) << squid;
  EXPECT_TRUE(has(squid, "acl Safe_ports port 80 443 8080 8443\n")) << squid;
}

// N3: x and *.x together are **.x, written once and exactly.
TEST(ExportPlan, ApexAndWildcardPairsMerge) {
  auto pol = policy::parse_policy("allow: [gcr.io, \"*.gcr.io\"]\n", "netmap.yaml");
  std::string squid = report::export_squid({&pol, nullptr});
  EXPECT_TRUE(has(squid, "# gcr.io and *.gcr.io: allow rule at netmap.yaml:1:9; allow rule at netmap.yaml:1:17\nacl netmap_allowed dstdomain .gcr.io\n")) << squid;
  EXPECT_FALSE(has(squid, "widened")) << squid;
  std::string dnsmasq = report::export_dnsmasq({&pol, nullptr}, "10.0.0.53");
  EXPECT_TRUE(has(dnsmasq, "server=/gcr.io/10.0.0.53\n")) << dnsmasq;
  EXPECT_FALSE(has(dnsmasq, "*.gcr.io/")) << dnsmasq;
  std::vector<std::string> notes;
  auto srt = nlohmann::json::parse(report::export_srt({&pol, nullptr}, notes));
  EXPECT_EQ(srt["network"]["allowedDomains"], nlohmann::json::array({"gcr.io", "*.gcr.io"}));
  EXPECT_TRUE(notes.empty()) << notes[0];
  // json keeps netmap's own rules as written.
  EXPECT_EQ(report::collect_entries({&pol, nullptr}, Target::Json).size(), 2u);
}

// N4: a rule's endpoints limited to the ports seen say so.
TEST(ExportPlan, HardenRunnerPortNarrowingIsNoted) {
  auto pol = policy::parse_policy("allow: [\"*.sub.example.com\"]\n", "netmap.yaml");
  inventory::Inventory inv;
  inv.add(test::contact("a.sub.example.com", inventory::SeenVia::Sni, 8443));
  std::string out = report::export_harden_runner({&pol, &inv});
  EXPECT_TRUE(has(out, "*.sub.example.com: allow rule at netmap.yaml:1:9; narrowed: only port 8443 (seen in the inventory)")) << out;
}

// N5: an empty element of --upstream is a mistake, not nothing.
TEST(ExportPlan, EmptyUpstreamElementsAreErrors) {
  auto pol = policy::parse_policy("allow: [a.example]\n", "netmap.yaml");
  for (const char* bad : {"127.0.0.1,", ",127.0.0.1", "127.0.0.1,,10.0.0.53", " , "})
    EXPECT_THROW((void)report::export_upstreams({&pol, nullptr}, bad), base::UserError) << bad;
  EXPECT_EQ(report::export_upstreams({&pol, nullptr}, "127.0.0.1, 10.0.0.53#5353").size(), 2u);
}

// On json (netmap's own grammar) the plan must decide every name as the policy's matcher does.
TEST(ExportPlan, JsonPlanDecidesAsThePolicy) {
  auto pol = policy::parse_policy(R"(allow: [a.example, "*.b.example", "**.c.example", x.c.example, d.example, "*.d.example"]
deny: [bad.c.example, "*.bad2.c.example"]
mock: [m.b.example]
)", "netmap.yaml");
  auto plan = report::plan_export({&pol, nullptr}, Target::Json);
  auto m = pol.build_matcher();
  for (const char* n : {"a.example", "x.a.example", "b.example", "q.b.example", "m.b.example", "c.example", "x.c.example",
                        "bad.c.example", "y.bad.c.example", "bad2.c.example", "z.bad2.c.example", "d.example", "e.d.example",
                        "other.example"})
    EXPECT_EQ(plan.decide(dn(n)).reachable(), m.decide(dn(n)).reachable()) << n;
}
