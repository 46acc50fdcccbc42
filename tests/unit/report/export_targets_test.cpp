// Every export target: parsed back by a real parser where the format has one (JSON, YAML), minimal,
// sorted, refusals where the target has them, and a note wherever an entry changes meaning.

#include "netmap/report/export_util.hpp"
#include "netmap/report/exporter.hpp"

#include "netmap/base/error.hpp"
#include "netmap/policy/policy.hpp"

#include "unit/contact_helpers.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

using namespace netmap;

namespace {

const char* k_policy = R"(allow:
  - api.example.com
  - "*.registry.example.com"
  - "**.cdn.example.org"
  - a.cdn.example.org
deny: [evil.cdn.example.org]
mock: [telemetry.example.net]
dns: {custom_resolvers: ["10.0.0.53"]}
)";

struct Fixture {
  policy::Policy pol = policy::parse_policy(k_policy, "netmap.yaml");
  inventory::Inventory inv;
  Fixture() {
    auto add = [&](const char* n, std::uint16_t port) { inv.add(test::contact(n, inventory::SeenVia::Sni, port, 0)); };
    add("files.example.net", 443);
    add("files.example.net", 8443);
    add("x.registry.example.com", 5000);
    add("evil.cdn.example.org", 443);
  }
  report::ExportInput in() const { return {&pol, &inv}; }
};

std::vector<std::string> strings(const nlohmann::json& a) {
  std::vector<std::string> out;
  for (const auto& x : a) out.push_back(x.get<std::string>());
  return out;
}

} // namespace

TEST(ExportTargets, SrtHasAllowedAndDeniedDomains) {
  Fixture f;
  std::vector<std::string> notes;
  auto j = nlohmann::json::parse(report::export_srt(f.in(), notes));
  EXPECT_EQ(strings(j["network"]["allowedDomains"]),
            (std::vector<std::string>{"*.registry.example.com", "api.example.com", "cdn.example.org", "*.cdn.example.org",
                                      "files.example.net"}));
  EXPECT_EQ(strings(j["network"]["deniedDomains"]), (std::vector<std::string>{"evil.cdn.example.org", "telemetry.example.net"}));
  ASSERT_FALSE(notes.empty());
  EXPECT_NE(notes[0].find("written as two entries"), std::string::npos) << notes[0];
}

TEST(ExportTargets, ClaudeSettingsHaveOnlyAllowedDomains) {
  Fixture f;
  std::vector<std::string> notes;
  auto j = nlohmann::json::parse(report::export_claude(f.in(), notes));
  EXPECT_EQ(j["sandbox"]["network"]["allowedDomains"].size(), 5u);
  EXPECT_FALSE(j["sandbox"]["network"].contains("deniedDomains"));
}

TEST(ExportTargets, CopilotListsOneEntryALineWithTheLegacyVariable) {
  Fixture f;
  std::string out = report::export_copilot(f.in());
  EXPECT_NE(out.find("\n*.registry.example.com\napi.example.com\ncdn.example.org\nfiles.example.net\n"), std::string::npos) << out;
  EXPECT_NE(out.find("# COPILOT_AGENT_FIREWALL_ALLOW_LIST_ADDITIONS=*.registry.example.com,api.example.com,cdn.example.org,files.example.net\n"),
            std::string::npos) << out;
  EXPECT_NE(out.find("widened: copilot admits every subdomain"), std::string::npos) << out;
  EXPECT_EQ(out.find("\nevil"), std::string::npos);
  EXPECT_NE(out.find("# not enforced: deny rule evil.cdn.example.org (netmap.yaml:6:8): copilot has no deny list, and "
                     "'cdn.example.org' admits it"), std::string::npos) << out;
}

TEST(ExportTargets, HardenRunnerIsAWorkflowStepWithPorts) {
  Fixture f;
  auto y = YAML::Load(report::export_harden_runner(f.in()));
  ASSERT_TRUE(y.IsSequence());
  EXPECT_EQ(y[0]["uses"].as<std::string>(), "step-security/harden-runner@v2");
  EXPECT_EQ(y[0]["with"]["egress-policy"].as<std::string>(), "block");
  EXPECT_EQ(y[0]["with"]["allowed-endpoints"].as<std::string>(),
            "*.registry.example.com:5000\napi.example.com:443\ncdn.example.org:443\n*.cdn.example.org:443\n"
            "files.example.net:443\nfiles.example.net:8443\n");
}

TEST(ExportTargets, SquidDeniesFirstAndDeniesAllLast) {
  Fixture f;
  std::string out = report::export_squid(f.in());
  EXPECT_NE(out.find("acl netmap_allowed dstdomain .cdn.example.org\n"), std::string::npos) << out;
  EXPECT_NE(out.find("acl netmap_allowed dstdomain .registry.example.com\n"), std::string::npos);
  EXPECT_NE(out.find("widened: squid's .x also admits the apex registry.example.com"), std::string::npos);
  EXPECT_NE(out.find("acl netmap_denied dstdomain evil.cdn.example.org\n"), std::string::npos);
  EXPECT_NE(out.find("acl SSL_ports port 443 5000 8443\n"), std::string::npos) << out;
  auto deny = out.find("http_access deny netmap_denied");
  auto allow = out.find("http_access allow netmap_allowed");
  ASSERT_NE(deny, std::string::npos);
  EXPECT_LT(deny, allow);
  EXPECT_TRUE(out.ends_with("http_access deny all\n"));
  EXPECT_EQ(out.find("a.cdn.example.org"), std::string::npos) << "covered by **.cdn.example.org";
}

TEST(ExportTargets, DnsmasqForwardsAllowedNamesAndRefusesTheRest) {
  Fixture f;
  std::string out = report::export_dnsmasq(f.in());
  EXPECT_NE(out.find("no-resolv\n"), std::string::npos);
  EXPECT_NE(out.find("server=/api.example.com/10.0.0.53\nserver=/*.api.example.com/\n"), std::string::npos) << out;
  EXPECT_NE(out.find("server=/*.registry.example.com/10.0.0.53\n"), std::string::npos);
  EXPECT_NE(out.find("server=/cdn.example.org/10.0.0.53\n"), std::string::npos);
  EXPECT_NE(out.find("address=/evil.cdn.example.org/\n"), std::string::npos);
  EXPECT_TRUE(out.ends_with("address=/#/\n"));
  std::string two = report::export_dnsmasq(f.in(), "127.0.0.1#5353,[::1]:53");
  EXPECT_NE(two.find("server=/cdn.example.org/127.0.0.1#5353\nserver=/cdn.example.org/::1\n"), std::string::npos) << two;
}

TEST(ExportTargets, UnboundZones) {
  Fixture f;
  std::string out = report::export_unbound(f.in());
  EXPECT_NE(out.find("server:\n    local-zone: \".\" always_nxdomain\n"), std::string::npos) << out;
  EXPECT_NE(out.find("    local-zone: \"cdn.example.org.\" transparent\n"), std::string::npos);
  EXPECT_NE(out.find("    local-zone: \"evil.cdn.example.org.\" always_nxdomain\n"), std::string::npos);
  EXPECT_NE(out.find("widened: an unbound zone also admits every name below api.example.com"), std::string::npos);
  EXPECT_NE(out.find("forward-zone:\n    name: \"cdn.example.org.\"\n    forward-addr: 10.0.0.53\n"), std::string::npos);
}

TEST(ExportTargets, JsonKeepsNetmapGrammarAndReasons) {
  Fixture f;
  auto j = nlohmann::json::parse(report::export_json(f.in()));
  EXPECT_EQ(j["schema"], "netmap.allowlist");
  std::vector<std::string> rules;
  for (const auto& e : j["allow"]) rules.push_back(e["rule"]);
  EXPECT_EQ(rules, (std::vector<std::string>{"**.cdn.example.org", "*.registry.example.com", "api.example.com", "files.example.net"}));
  EXPECT_EQ(j["allow"][3]["ports"], nlohmann::json::array({443, 8443}));
  EXPECT_EQ(j["deny"][1]["action"], "mock");
}

TEST(ExportTargets, PresetsTheTargetLacksAreWrittenOut) {
  auto pol = policy::parse_policy("presets: [codex-common]\n", "netmap.yaml");
  std::vector<std::string> notes;
  auto j = nlohmann::json::parse(report::export_srt({&pol, nullptr}, notes));
  auto allowed = strings(j["network"]["allowedDomains"]);
  EXPECT_NE(std::find(allowed.begin(), allowed.end(), "github.com"), allowed.end());
  EXPECT_NE(std::find(allowed.begin(), allowed.end(), "*.github.com"), allowed.end());
  // Codex offers the preset itself: nothing to add.
  auto codex = YAML::Load(report::export_codex({&pol, nullptr}));
  EXPECT_EQ(codex["network"]["dns"]["allowlist_additions"].size(), 0u);
}

TEST(ExportTargets, UrlEntriesOfExpandedPresetsAreNoted) {
  auto pol = policy::parse_policy("presets: [copilot-recommended]\n", "netmap.yaml");
  std::string out = report::export_squid({&pol, nullptr});
  EXPECT_NE(out.find("# preset copilot-recommended: "), std::string::npos);
  EXPECT_NE(out.find("URL-prefix entries left out"), std::string::npos);
  std::string copilot = report::export_copilot({&pol, nullptr});
  EXPECT_NE(copilot.find("Keep the recommended allowlist enabled"), std::string::npos);
}

TEST(ExportTargets, AllowEverythingIsLeftOutWithAComment) {
  auto pol = policy::parse_policy("allow: [\"*\"]\n", "netmap.yaml");
  std::string out = report::export_copilot({&pol, nullptr});
  EXPECT_NE(out.find("# left out: * (allow rule at netmap.yaml:1:9): impossible: copilot"), std::string::npos) << out;
  EXPECT_EQ(out.find("\n*\n"), std::string::npos) << out;
}

TEST(ExportTargets, OutputIsStable) {
  Fixture f;
  for (auto t : {policy::Target::Copilot, policy::Target::Squid, policy::Target::Dnsmasq, policy::Target::Unbound})
    EXPECT_EQ(report::export_config(t, f.in()), report::export_config(t, f.in()));
}

TEST(ExportTargets, Upstreams) {
  EXPECT_EQ(report::parse_upstream("10.0.0.53").port, 53);
  EXPECT_EQ(report::parse_upstream("10.0.0.53:5353").port, 5353);
  EXPECT_EQ(report::parse_upstream("10.0.0.53#5353").address, "10.0.0.53");
  EXPECT_EQ(report::parse_upstream("[2001:db8::53]:853").address, "2001:db8::53");
  EXPECT_EQ(report::parse_upstream("2001:db8::53").port, 53);
  EXPECT_THROW((void)report::parse_upstream("resolver.example.com"), base::UserError);
  EXPECT_THROW((void)report::parse_upstream("10.0.0.53#0"), base::UserError);
  EXPECT_THROW((void)report::parse_upstream("10.0.0.53#99999"), base::UserError);
}

TEST(ExportTargets, MinimalUnderEachTargetsSemantics) {
  auto pol = policy::parse_policy(R"(allow: ["**.a.example", x.a.example, "*.b.example", b.example, c.example, c.example,
                                         "*.c.example", y.z.c.example])", "netmap.yaml");
  auto texts = [&](policy::Target t) {
    std::vector<std::string> out;
    for (const auto& e : report::collect_entries({&pol, nullptr}, t)) out.push_back(e.rule.text());
    return out;
  };
  EXPECT_EQ(texts(policy::Target::Json),
            (std::vector<std::string>{"**.a.example", "*.b.example", "*.c.example", "b.example", "c.example"}));
  // Codex reads every entry as apex and subdomains: *.b.example and b.example become one entry.
  auto codex = report::collect_entries({&pol, nullptr}, policy::Target::Codex);
  std::vector<std::string> spelled;
  for (const auto& e : codex) spelled.push_back(e.translation.text);
  EXPECT_EQ(spelled, (std::vector<std::string>{"a.example", "b.example", "c.example"}));
}

TEST(ExportTargets, ManyInventoryNamesStayMinimal) {
  auto pol = policy::parse_policy("allow: [\"**.big.example\"]\n", "netmap.yaml");
  inventory::Inventory inv;
  for (int i = 0; i < 20000; ++i)
    inv.add(test::contact("h" + std::to_string(i) + (i % 2 ? ".big.example" : ".other.example"), inventory::SeenVia::Dns, 0, 0));
  auto entries = report::collect_entries({&pol, &inv}, policy::Target::Srt);
  EXPECT_EQ(entries.size(), 10001u); // **.big.example plus the 10000 names outside it
}

TEST(ExportTargets, TheResolversPortIsNotTheNames) {
  auto pol = policy::parse_policy("allow: [a.example]\n", "netmap.yaml");
  inventory::Inventory inv;
  auto add = [&](const char* n, inventory::SeenVia via, std::uint16_t port) { inv.add(test::contact(n, via, port, 0)); };
  add("lookup-only.example", inventory::SeenVia::Dns, 53);
  add("both.example", inventory::SeenVia::Dns, 53);
  add("both.example", inventory::SeenVia::Sni, 8443);
  auto y = YAML::Load(report::export_harden_runner({&pol, &inv}));
  EXPECT_EQ(y[0]["with"]["allowed-endpoints"].as<std::string>(), "a.example:443\nboth.example:8443\nlookup-only.example:443\n");
}

// Names from packets can be anything. One that is not a host name is never written as an entry (a
// newline in it would start a config line of its own), and the file says it was left out.
TEST(ExportTargets, InvalidInventoryNamesAreLeftOutAndNoted) {
  auto pol = policy::parse_policy("presets: [none]\n", "netmap.yaml");
  inventory::Inventory inv;
  for (const char* n : {"ok.example", "evil.example\nserver=/x/192.0.2.1", "sp ace.example", "-lead.example"})
    inv.add(test::contact(n));
  std::string dnsmasq = report::export_dnsmasq({&pol, &inv}, "10.0.0.53");
  EXPECT_NE(dnsmasq.find("server=/ok.example/10.0.0.53"), std::string::npos) << dnsmasq;
  EXPECT_EQ(dnsmasq.find("\nserver=/x/"), std::string::npos) << dnsmasq;
  EXPECT_NE(dnsmasq.find("# inventory: 3 contacted names are not valid host names, so no entry can admit them"),
            std::string::npos)
      << dnsmasq;
  EXPECT_NE(dnsmasq.find("'evil.example\\010server=/x/192.0.2.1'"), std::string::npos) << dnsmasq;
  std::vector<std::string> notes;
  auto j = nlohmann::json::parse(report::export_srt({&pol, &inv}, notes));
  EXPECT_EQ(strings(j["network"]["allowedDomains"]), (std::vector<std::string>{"ok.example"}));
  ASSERT_FALSE(notes.empty());
  EXPECT_NE(notes.back().find("3 contacted names are not valid host names"), std::string::npos) << notes.back();
}

// An allowlist made from a capture that may have lost names says so in the file it writes.
TEST(ExportTargets, CapturesThatMayHaveLostNamesAreNoted) {
  auto pol = policy::parse_policy("presets: [none]\n", "netmap.yaml");
  inventory::Inventory inv;
  inv.add(test::contact("ok.example"));
  EXPECT_EQ(report::export_squid({&pol, &inv}).find("may have been lost"), std::string::npos);
  inv.stats["names_maybe_lost"] = 3;
  std::string squid = report::export_squid({&pol, &inv});
  EXPECT_NE(squid.find("# inventory: 3 names may have been lost while capturing"), std::string::npos) << squid;
}
