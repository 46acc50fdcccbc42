#include "netmap/dns/summary_text.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace netmap::dns;

namespace {

Summary sample() {
  Summary s;
  s.allowed.push_back({"registry.npmjs.org", 12, "allowed", "registry.npmjs.org"});
  s.blocked.push_back({"telemetry.example", 3, "unlisted", "telemetry.example"});
  s.blocked.push_back({"evil.example", 1, "denied", "evil.example"});
  s.clients.push_back({"127.0.0.1", 16, {}, {}});
  s.untracked_names = 5;
  return s;
}

} // namespace

TEST(DnsSummaryText, NamesTheRuleToAddForUnlistedAndTheRuleForDenied) {
  Counters c;
  c.queries = 16;
  c.blocked = 4;
  std::string text = render_summary(sample(), c, false);
  EXPECT_NE(text.find("allowed names (1):\n  registry.npmjs.org  12  rule registry.npmjs.org\n"), std::string::npos) << text;
  EXPECT_NE(text.find("telemetry.example  3  unlisted  (to allow: add 'telemetry.example')"), std::string::npos) << text;
  EXPECT_NE(text.find("evil.example  1  denied  rule evil.example"), std::string::npos) << text;
  EXPECT_NE(text.find("5 queries for names past the summary's capacity"), std::string::npos) << text;
  EXPECT_NE(text.find("queries 16 (tcp 0)"), std::string::npos) << text;
  EXPECT_EQ(text.find("\033["), std::string::npos) << "no colour unless asked";
  EXPECT_NE(render_summary(sample(), c, true).find("\033[31mtelemetry.example\033[0m"), std::string::npos);
}

TEST(DnsSummaryText, JsonCarriesListsAndCounters) {
  Counters c;
  c.cache_hits = 7;
  auto j = summary_json(sample(), c, {"127.0.0.1:5353"});
  EXPECT_EQ(j["listen"][0], "127.0.0.1:5353");
  EXPECT_EQ(j["blocked"].size(), 2u);
  EXPECT_EQ(j["blocked"][0]["name"], "telemetry.example");
  EXPECT_EQ(j["blocked"][0]["verdict"], "unlisted");
  EXPECT_EQ(j["clients"][0]["count"], 16);
  EXPECT_EQ(j["untracked_name_queries"], 5);
  EXPECT_EQ(j["counters"]["cache_hits"], 7);
}
