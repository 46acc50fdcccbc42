#include "netmap/policy/rule.hpp"

#include <gtest/gtest.h>

using namespace netmap::policy;

namespace {
Rule rule(std::string_view s) {
  auto r = parse_rule(s);
  EXPECT_TRUE(r) << s << ": " << r.error();
  return r ? r.value() : Rule{};
}
DomainName dn(std::string_view s) { return DomainName::parse(s).value(); }
} // namespace

TEST(Rule, ThreeForms) {
  EXPECT_EQ(rule("example.com").kind, MatchKind::Exact);
  EXPECT_EQ(rule("*.example.com").kind, MatchKind::Subdomains);
  EXPECT_EQ(rule("**.example.com").kind, MatchKind::ApexAndSubdomains);
  EXPECT_EQ(rule("*").kind, MatchKind::Any);
  EXPECT_EQ(rule("  EXAMPLE.com. ").text(), "example.com");
}

TEST(Rule, Matching) {
  EXPECT_TRUE(rule("example.com").matches(dn("example.com")));
  EXPECT_FALSE(rule("example.com").matches(dn("a.example.com")));
  EXPECT_FALSE(rule("*.example.com").matches(dn("example.com")));
  EXPECT_TRUE(rule("*.example.com").matches(dn("a.b.example.com")));
  EXPECT_TRUE(rule("**.example.com").matches(dn("example.com")));
  EXPECT_TRUE(rule("**.example.com").matches(dn("a.example.com")));
  EXPECT_FALSE(rule("**.example.com").matches(dn("badexample.com")));
}

TEST(Rule, RejectsUrlsPortsAndMidWildcards) {
  for (const char* bad : {"https://example.com", "example.com/v2", "example.com:443", "example.com?x=1",
                          "a.*.example.com", "ex*ample.com", "*example.com", ".example.com",
                          "user@example.com", "10.1.2.3", "", "a..b", "***.example.com"}) {
    EXPECT_FALSE(parse_rule(bad)) << bad;
  }
  auto r = parse_rule("api.example.com/v2");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("CONNECT host"), std::string::npos) << "the error quotes the spec's reason";
  auto p = parse_rule("https://api.example.com");
  EXPECT_NE(p.error().find("scheme"), std::string::npos);
}

TEST(Rule, Coverage) {
  EXPECT_TRUE(rule("a.example.com").covered_by(rule("*.example.com")));
  EXPECT_FALSE(rule("example.com").covered_by(rule("*.example.com")));
  EXPECT_TRUE(rule("example.com").covered_by(rule("**.example.com")));
  EXPECT_TRUE(rule("*.a.example.com").covered_by(rule("*.example.com")));
  EXPECT_TRUE(rule("**.a.example.com").covered_by(rule("*.example.com")));
  EXPECT_FALSE(rule("**.example.com").covered_by(rule("*.example.com")));
  EXPECT_TRUE(rule("*").covered_by(rule("*")));
  EXPECT_FALSE(rule("*").covered_by(rule("**.com")));
}

TEST(Rule, BareMeaningForPresets) {
  auto r = parse_rule("github.com", MatchKind::ApexAndSubdomains);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->matches(dn("api.github.com")));
}
