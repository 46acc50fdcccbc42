#include "netmap/policy/matcher.hpp"

#include <gtest/gtest.h>

using namespace netmap::policy;

namespace {
Rule rule(std::string_view s, Action a = Action::Allow) {
  Rule r = parse_rule(s).value();
  r.action = a;
  r.source.origin = "test";
  return r;
}
Decision decide(const Matcher& m, std::string_view n) { return m.decide(n).decision; }
} // namespace

TEST(Matcher, EmptyBlocksEverything) {
  Matcher m;
  EXPECT_EQ(decide(m, "example.com"), Decision::Unlisted);
  EXPECT_EQ(decide(m, "bad..name"), Decision::Invalid);
}

TEST(Matcher, ExactIsExact) {
  Matcher m;
  m.add(rule("api.example.com"));
  EXPECT_EQ(decide(m, "api.example.com"), Decision::Allowed);
  EXPECT_EQ(decide(m, "API.EXAMPLE.COM."), Decision::Allowed);
  EXPECT_EQ(decide(m, "x.api.example.com"), Decision::Unlisted);
  EXPECT_EQ(decide(m, "example.com"), Decision::Unlisted);
  EXPECT_EQ(decide(m, "web.example.com"), Decision::Unlisted);
}

TEST(Matcher, WildcardForms) {
  Matcher m;
  m.add(rule("*.sub.example.com"));
  m.add(rule("**.apex.org"));
  EXPECT_EQ(decide(m, "sub.example.com"), Decision::Unlisted);
  EXPECT_EQ(decide(m, "a.sub.example.com"), Decision::Allowed);
  EXPECT_EQ(decide(m, "a.b.sub.example.com"), Decision::Allowed);
  EXPECT_EQ(decide(m, "apex.org"), Decision::Allowed);
  EXPECT_EQ(decide(m, "x.apex.org"), Decision::Allowed);
  EXPECT_EQ(decide(m, "xapex.org"), Decision::Unlisted);
}

TEST(Matcher, DenyWinsAndMostSpecificReports) {
  Matcher m;
  m.add(rule("**.example.com"));
  m.add(rule("evil.example.com", Action::Deny));
  m.add(rule("*.mocked.example.com", Action::Mock));
  m.add(rule("www.example.com"));
  auto v = m.decide("evil.example.com");
  EXPECT_EQ(v.decision, Decision::Denied);
  ASSERT_TRUE(v.rule);
  EXPECT_EQ(v.rule->text(), "evil.example.com");
  EXPECT_EQ(decide(m, "a.mocked.example.com"), Decision::Mock);
  auto w = m.decide("www.example.com");
  EXPECT_EQ(w.decision, Decision::Allowed);
  EXPECT_EQ(w.rule->text(), "www.example.com") << "the most specific allow rule is named";
  EXPECT_FALSE(m.decide("x.example.com").rule == nullptr);
}

TEST(Matcher, DenyAnyBeatsAllow) {
  Matcher m;
  m.add(rule("example.com"));
  m.add(rule("*", Action::Deny));
  EXPECT_EQ(decide(m, "example.com"), Decision::Denied);
}

TEST(Matcher, IgnoreIsNotReachable) {
  Matcher m;
  m.add(rule("telemetry.example.com", Action::Ignore));
  auto v = m.decide("telemetry.example.com");
  EXPECT_EQ(v.decision, Decision::Ignored);
  EXPECT_FALSE(v.reachable());
}

TEST(Matcher, ManyRules) {
  Matcher m;
  for (int i = 0; i < 10000; ++i) m.add(rule("host" + std::to_string(i) + ".example" + std::to_string(i % 97) + ".com"));
  EXPECT_EQ(m.size(), 10000u);
  EXPECT_EQ(decide(m, "host42.example42.com"), Decision::Allowed);
  EXPECT_EQ(decide(m, "host42.example43.com"), Decision::Unlisted);
}
