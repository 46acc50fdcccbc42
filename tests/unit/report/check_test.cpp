#include "netmap/report/check.hpp"

#include "netmap/policy/policy.hpp"

#include "unit/contact_helpers.hpp"

#include <gtest/gtest.h>

#include <algorithm>

using namespace netmap;
using report::Severity;

namespace {

inventory::Event seen(const std::string& name, std::uint16_t port = 443) {
  return test::contact(name, inventory::SeenVia::Sni, port);
}

inventory::Inventory inventory_of(std::initializer_list<const char*> names) {
  inventory::Inventory inv;
  for (const char* n : names) inv.add(seen(n));
  return inv;
}

const report::Finding* find(const report::CheckResult& r, const std::string& code, const std::string& about = {}) {
  auto it = std::find_if(r.findings.begin(), r.findings.end(), [&](const report::Finding& f) {
    return f.code == code && (about.empty() || f.domain == about || f.rule == about);
  });
  return it == r.findings.end() ? nullptr : &*it;
}

const char* k_policy = R"(allow:
  - api.example.com
  - "**.cdn.example.org"
deny:
  - evil.example.com
mock:
  - telemetry.example.net
ignore:
  - "*.local.test"
)";

} // namespace

TEST(Check, ContactedDomainsGetTheirVerdicts) {
  auto pol = policy::parse_policy(k_policy, "netmap.yaml");
  auto inv = inventory_of({"api.example.com", "a.cdn.example.org", "evil.example.com", "telemetry.example.net",
                           "x.local.test", "unknown.example.com"});
  auto r = report::run_check(pol, inv, {});
  ASSERT_EQ(r.domains.size(), 6u);
  const auto* unlisted = find(r, "unlisted", "unknown.example.com");
  ASSERT_NE(unlisted, nullptr);
  EXPECT_EQ(unlisted->severity, Severity::Error);
  EXPECT_TRUE(unlisted->where.file.empty());
  const auto* denied = find(r, "denied", "evil.example.com");
  ASSERT_NE(denied, nullptr);
  EXPECT_EQ(denied->where.str(), "netmap.yaml:5:5");
  const auto* mock = find(r, "mock", "telemetry.example.net");
  ASSERT_NE(mock, nullptr);
  EXPECT_EQ(mock->where.str(), "netmap.yaml:7:5");
  EXPECT_EQ(find(r, "unlisted", "x.local.test"), nullptr) << "ignored domains produce nothing";
  EXPECT_EQ(r.findings.size(), 3u);
  EXPECT_TRUE(r.fails(Severity::Error));
  EXPECT_EQ(r.count(Severity::Error), 3u);
}

TEST(Check, CleanInventoryHasNoFindings) {
  auto pol = policy::parse_policy(k_policy, "netmap.yaml");
  auto r = report::run_check(pol, inventory_of({"api.example.com", "cdn.example.org", "x.local.test"}), {});
  EXPECT_TRUE(r.findings.empty());
  EXPECT_FALSE(r.fails(Severity::Notice));
}

TEST(Check, BareIpDestinationsAreWarnings) {
  auto pol = policy::parse_policy(k_policy, "netmap.yaml");
  inventory::Inventory inv;
  inventory::Event e;
  e.address = "2001:db8::1";
  e.port = 8443;
  e.transport = "tcp";
  e.via = inventory::SeenVia::Direct;
  inv.add(e);
  auto r = report::run_check(pol, inv, {});
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].code, "bare-ip");
  EXPECT_EQ(r.findings[0].severity, Severity::Warning);
  EXPECT_EQ(r.findings[0].domain, "[2001:db8::1]:8443/tcp");
  EXPECT_FALSE(r.fails(Severity::Error));
  EXPECT_TRUE(r.fails(Severity::Warning));
}

// An inventory that counts names it may have lost cannot vouch that nothing unlisted was
// contacted: a warning that says why, and a hint that fits the cause.
TEST(Check, CapturesThatMayHaveLostNamesAreWarnings) {
  auto pol = policy::parse_policy(k_policy, "netmap.yaml");
  inventory::Inventory inv;
  inv.stats = {{"names_maybe_lost", 0}, {"dropped_kernel", 0}, {"cut_short_captures", 0}};
  EXPECT_TRUE(report::run_check(pol, inv, {}).findings.empty());
  inv.stats = {{"names_maybe_lost", 4}, {"dropped_kernel", 3}, {"cut_short_captures", 1}};
  auto r = report::run_check(pol, inv, {});
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].code, "incomplete-capture");
  EXPECT_EQ(r.findings[0].severity, Severity::Warning);
  EXPECT_EQ(r.findings[0].message, "the inventory may lack contacted domains: 4 names may have been lost while capturing "
                                   "(3 packets dropped by the kernel, 1 capture file cut short)");
  EXPECT_NE(r.findings[0].hint.find("--buffer"), std::string::npos) << r.findings[0].hint;
  inv.stats = {{"names_maybe_lost", 1}, {"cut_short_captures", 1}};
  r = report::run_check(pol, inv, {});
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].hint.find("--buffer"), std::string::npos) << r.findings[0].hint;
  EXPECT_FALSE(r.fails(Severity::Error));
  inv.stats = {{"names_maybe_lost", 2}, {"flows_lost_to_gaps", 2}};
  r = report::run_check(pol, inv, {});
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_NE(r.findings[0].message.find("(2 connections cut by sequence gaps)"), std::string::npos) << r.findings[0].message;
}

TEST(Check, InvalidNamesAreErrorsAndEscaped) {
  auto pol = policy::parse_policy(k_policy, "netmap.yaml");
  inventory::Inventory inv;
  inv.add(seen(std::string("bad\x1b[31m.example.com")));
  auto r = report::run_check(pol, inv, {});
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].code, "invalid-name");
  EXPECT_EQ(r.findings[0].message.find('\x1b'), std::string::npos);
}

// The dissector writes names in presentation format; check shows them as the inventory holds them.
TEST(Check, PresentationFormatNamesAreShownAsTheInventoryHoldsThem) {
  auto pol = policy::parse_policy(k_policy, "policies/ci.yaml");
  inventory::Inventory inv;
  inv.add(seen("\\000.example.test"));
  inv.add(seen("fresh.example.com"));
  auto r = report::run_check(pol, inv, {});
  EXPECT_NE(find(r, "invalid-name", "\\000.example.test"), nullptr);
  const auto* unlisted = find(r, "unlisted", "fresh.example.com");
  ASSERT_NE(unlisted, nullptr);
  EXPECT_EQ(unlisted->hint, "add it to 'allow' in policies/ci.yaml (or 'mock'/'ignore' it)") << "the policy in use";
}

TEST(Check, AllowRulesCoveredByAPresetAreNotices) {
  auto pol = policy::parse_policy("presets: [codex-common]\nallow: [api.github.com, internal.example.com]\n", "netmap.yaml");
  auto r = report::run_check(pol, {}, {});
  const auto* f = find(r, "covered-by-preset", "api.github.com");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::Notice);
  EXPECT_EQ(f->where.str(), "netmap.yaml:2:9");
  EXPECT_NE(f->message.find("codex-common"), std::string::npos);
  EXPECT_EQ(find(r, "covered-by-preset", "internal.example.com"), nullptr);
}

TEST(Check, StaleOnlyWhenAsked) {
  auto pol = policy::parse_policy(k_policy, "netmap.yaml");
  auto inv = inventory_of({"api.example.com"});
  EXPECT_EQ(find(report::run_check(pol, inv, {}), "stale"), nullptr);
  auto r = report::run_check(pol, inv, {std::nullopt, true});
  const auto* f = find(r, "stale", "**.cdn.example.org");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->where.str(), "netmap.yaml:3:5");
  EXPECT_EQ(find(r, "stale", "api.example.com"), nullptr);
}

TEST(Check, TargetWideningIsAWarningAtTheRule) {
  auto pol = policy::parse_policy("allow: [api.example.com, \"**.example.org\"]\n", "netmap.yaml");
  auto r = report::run_check(pol, {}, {policy::Target::Codex, false});
  const auto* f = find(r, "target-widened", "api.example.com");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::Warning);
  EXPECT_EQ(f->where.str(), "netmap.yaml:1:9");
  EXPECT_EQ(find(r, "target-widened", "**.example.org"), nullptr) << "apex+subdomains is exact on codex";
  // The same policy is exact on srt (two entries for **.x) and json.
  EXPECT_TRUE(report::run_check(pol, {}, {policy::Target::Srt, false}).findings.empty());
  EXPECT_TRUE(report::run_check(pol, {}, {policy::Target::Json, false}).findings.empty());
}

TEST(Check, AllowEverythingIsImpossibleOnHostTargets) {
  auto pol = policy::parse_policy("allow: [\"*\"]\n", "netmap.yaml");
  auto r = report::run_check(pol, {}, {policy::Target::Claude, false});
  const auto* f = find(r, "target-impossible", "*");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::Error);
  // squid, dnsmasq and unbound admit every name their own way (export writes it so).
  for (auto t : {policy::Target::Squid, policy::Target::Dnsmasq, policy::Target::Unbound})
    EXPECT_EQ(find(report::run_check(pol, {}, {t, false}), "target-impossible", "*"), nullptr) << policy::target_name(t);
}

TEST(Check, DenyInsideAnAllowedEntryIsUnenforceableWithoutADenyList) {
  auto pol = policy::parse_policy("allow: [\"**.example.com\"]\ndeny: [evil.example.com]\nmock: [far.example.net]\n", "netmap.yaml");
  auto codex = report::run_check(pol, {}, {policy::Target::Codex, false});
  const auto* f = find(codex, "deny-unenforced", "evil.example.com");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->where.str(), "netmap.yaml:2:8");
  EXPECT_EQ(find(codex, "deny-unenforced", "far.example.net"), nullptr) << "no allowed entry admits it";
  EXPECT_EQ(find(report::run_check(pol, {}, {policy::Target::Srt, false}), "deny-unenforced"), nullptr);
}

TEST(Check, RefusalsTheTargetWidensAreNarrowings) {
  auto pol = policy::parse_policy("allow: [\"**.example.com\"]\ndeny: [\"*.evil.example.com\"]\n", "netmap.yaml");
  auto r = report::run_check(pol, {}, {policy::Target::Squid, false});
  const auto* f = find(r, "target-narrowed", "*.evil.example.com");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::Warning);
}

TEST(Check, WiderRefusalsOutsideAllowedNamesAreQuiet) {
  auto pol = policy::parse_policy("allow: [\"**.example.com\"]\ndeny: [tracker.ads.example, evil.example.com]\n", "netmap.yaml");
  auto r = report::run_check(pol, {}, {policy::Target::Unbound, false});
  EXPECT_EQ(find(r, "target-narrowed", "tracker.ads.example"), nullptr) << "nothing below it is allowed anyway";
  EXPECT_NE(find(r, "target-narrowed", "evil.example.com"), nullptr) << "names below it are allowed by **.example.com";
}

TEST(Check, ExpandedPresetsReportOneAggregatedWarning) {
  auto pol = policy::parse_policy("presets: [codex-common]\n", "netmap.yaml");
  auto r = report::run_check(pol, {}, {policy::Target::Squid, false});
  EXPECT_TRUE(r.findings.empty()) << "codex-common's bare entries are apex+subdomains: .x on squid";
  auto claude = policy::parse_policy("presets: [claude-trusted]\n", "netmap.yaml");
  auto rc = report::run_check(claude, {}, {policy::Target::Codex, false});
  ASSERT_EQ(rc.findings.size(), 1u);
  EXPECT_EQ(rc.findings[0].code, "target-widened");
  EXPECT_EQ(rc.findings[0].where.str(), "netmap.yaml:1:11");
}

TEST(Check, FindingsAreSortedWorstFirst) {
  auto pol = policy::parse_policy("presets: [codex-common]\nallow: [github.com]\n", "netmap.yaml");
  inventory::Inventory inv = inventory_of({"z.example.com", "a.example.com"});
  inventory::Event e;
  e.address = "192.0.2.1";
  e.port = 80;
  inv.add(e);
  auto r = report::run_check(pol, inv, {});
  ASSERT_EQ(r.findings.size(), 4u);
  EXPECT_EQ(r.findings[0].domain, "a.example.com");
  EXPECT_EQ(r.findings[1].domain, "z.example.com");
  EXPECT_EQ(r.findings[2].code, "bare-ip");
  EXPECT_EQ(r.findings[3].code, "covered-by-preset");
}

TEST(Check, RulesOverlap) {
  auto rule = [](const char* t) { return policy::parse_rule(t).value(); };
  EXPECT_TRUE(report::rules_overlap(rule("**.example.com"), rule("a.example.com")));
  EXPECT_TRUE(report::rules_overlap(rule("*.example.com"), rule("*.a.example.com")));
  EXPECT_FALSE(report::rules_overlap(rule("*.example.com"), rule("example.com")));
  EXPECT_FALSE(report::rules_overlap(rule("a.example.com"), rule("b.example.com")));
  EXPECT_TRUE(report::rules_overlap(rule("*"), rule("b.example.com")));
}
