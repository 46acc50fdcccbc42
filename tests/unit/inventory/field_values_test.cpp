#include "netmap/inventory/field_values.hpp"

#include <gtest/gtest.h>

using namespace netmap::inventory;

// Names read from files are spelled as the policy compares them (audit finding 10).
TEST(FieldValues, NamesAreNormalizedAsThePolicyDoes) {
  EXPECT_EQ(normalized_name("a.example"), "a.example");
  EXPECT_EQ(normalized_name("A.Example."), "a.example");
  EXPECT_EQ(normalized_name("B\xC3\xBC" "cher.Example"), "xn--bcher-kva.example");
  EXPECT_EQ(normalized_name("\\000.example.test"), "\\000.example.test") << "an escaped wire name stays as written";
  EXPECT_EQ(normalized_name("a..b"), "a..b");
}

TEST(FieldValues, AddressesHaveOneSpelling) {
  EXPECT_EQ(normalized_address("192.0.2.1").value_or(""), "192.0.2.1");
  EXPECT_EQ(normalized_address("::0001").value_or(""), "::1");
  EXPECT_EQ(normalized_address("2001:DB8::1").value_or(""), "2001:db8::1");
  for (const char* bad : {"", "not-an-ip", "192.0.2", "192.0.2.256", "[::1]", "::1%lo", "1.2.3.4 "})
    EXPECT_FALSE(normalized_address(bad).has_value()) << bad;
}

TEST(FieldValues, KnownVerdicts) {
  for (const char* v : {"allowed", "denied", "mock", "ignored", "unlisted", "invalid", "blocked-alias", "ip-literal",
                        "method-blocked", "loop", "local-address"})
    EXPECT_TRUE(is_known_verdict(v)) << v;
  for (const char* v : {"", "Allowed", "maybe", "allowed "}) EXPECT_FALSE(is_known_verdict(v)) << v;
}

TEST(FieldValues, KnownVerdictsListNamesEveryOne) {
  const std::string list = known_verdicts();
  EXPECT_TRUE(list.starts_with("allowed, denied, ")) << list;
  EXPECT_TRUE(list.ends_with(", method-blocked, loop, local-address")) << list;
}
