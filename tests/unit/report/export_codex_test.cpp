#include "netmap/report/exporter.hpp"

#include "netmap/policy/policy.hpp"

#include "unit/contact_helpers.hpp"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

using namespace netmap;

namespace {
inventory::Event seen(const char* name, std::uint16_t port) { return test::contact(name, inventory::SeenVia::Sni, port); }
} // namespace

TEST(ExportCodex, AdditionsArePolicyRulesPlusUncoveredInventory) {
  auto pol = policy::parse_policy(R"(presets: [codex-common]
allow: [api.internal.company.com, "*.registry.company.com", github.com]
deny: [evil.example.net]
mock: [telemetry.example.net]
proxy: {http: "http://proxy.internal:3128", https: "http://proxy.internal:3128", no_proxy: "localhost,127.0.0.1"}
dns: {custom_resolvers: ["10.0.0.53"]}
)", "netmap.yaml");
  inventory::Inventory inv;
  for (const char* n : {"files.pythonhosted.org", "cdn.example.org", "evil.example.net", "telemetry.example.net",
                        "x.registry.company.com", "cdn.example.org", "api.internal.company.com"})
    inv.add(seen(n, 443));
  std::string out = report::export_codex({&pol, &inv});
  YAML::Node y = YAML::Load(out);
  auto adds = y["network"]["dns"]["allowlist_additions"];
  ASSERT_TRUE(adds.IsSequence()) << out;
  std::vector<std::string> got;
  for (const auto& a : adds) got.push_back(a.as<std::string>());
  EXPECT_EQ(got, (std::vector<std::string>{"api.internal.company.com", "cdn.example.org", "registry.company.com"})) << out;
  EXPECT_EQ(y["network"]["proxy"]["http"].as<std::string>(), "http://proxy.internal:3128");
  EXPECT_EQ(y["network"]["dns"]["custom_resolvers"][0].as<std::string>(), "10.0.0.53");
  EXPECT_NE(out.find("# allow rule at netmap.yaml:2:9"), std::string::npos) << out;
  EXPECT_NE(out.find("seen 2 times via sni"), std::string::npos) << out;
  EXPECT_NE(out.find("widened"), std::string::npos) << out;
  EXPECT_EQ(out.find("evil"), std::string::npos);
  EXPECT_EQ(out.find("telemetry"), std::string::npos);
}

TEST(ExportCodex, RoundTripsThroughTheLoader) {
  auto pol = policy::parse_policy("allow: [a.example.com, b.example.com]\nproxy: {no_proxy: \"localhost\"}\n", "netmap.yaml");
  std::string out = report::export_codex({&pol, nullptr});
  auto back = policy::parse_policy(out, "export.yaml");
  EXPECT_TRUE(back.codex_block);
  ASSERT_EQ(back.rules.size(), 2u);
  EXPECT_EQ(back.rules[0].domain.str(), "a.example.com");
  EXPECT_EQ(back.proxy.no_proxy, "localhost");
  // Exporting the re-read block yields the same data (comments may name the new file).
  auto again = YAML::Load(report::export_codex({&back, nullptr}));
  auto first = YAML::Load(out);
  EXPECT_EQ(YAML::Dump(again), YAML::Dump(first));
}

TEST(ExportCodex, EmptyPolicy) {
  policy::Policy pol;
  std::string out = report::export_codex({&pol, nullptr});
  auto y = YAML::Load(out);
  EXPECT_TRUE(y["network"]["dns"]["allowlist_additions"].IsSequence());
  EXPECT_EQ(y["network"]["dns"]["allowlist_additions"].size(), 0u);
}
