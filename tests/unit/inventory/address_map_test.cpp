#include "netmap/inventory/address_map.hpp"

#include <gtest/gtest.h>

using netmap::inventory::AddressMap;
using netmap::inventory::AddressMapLimits;
using netmap::inventory::ambiguity_note;

namespace {
constexpr std::int64_t k_s = 1000000;
using Names = std::vector<std::string>;
} // namespace

TEST(AddressMap, AttributesWithinTtl) {
  AddressMap m(AddressMapLimits{16, 0});
  m.add("192.0.2.1", "a.example.com", 100 * k_s, 60);
  EXPECT_EQ(m.lookup("192.0.2.1", 100 * k_s), Names{"a.example.com"});
  EXPECT_EQ(m.lookup("192.0.2.1", 160 * k_s), Names{"a.example.com"});
  EXPECT_TRUE(m.lookup("192.0.2.1", 161 * k_s).empty()) << "expired after the TTL";
  EXPECT_TRUE(m.lookup("192.0.2.1", 99 * k_s).empty()) << "not valid before the answer was seen";
  EXPECT_TRUE(m.lookup("192.0.2.2", 100 * k_s).empty());
  EXPECT_TRUE(m.ever("192.0.2.1", "a.example.com"));
  EXPECT_FALSE(m.ever("192.0.2.1", "b.example.com"));
}

TEST(AddressMap, GraceCoversZeroTtl) {
  AddressMap m(AddressMapLimits{16, 5 * k_s});
  m.add("2001:db8::1", "zero.example.com", 10 * k_s, 0);
  EXPECT_EQ(m.lookup("2001:db8::1", 12 * k_s), Names{"zero.example.com"});
  EXPECT_TRUE(m.lookup("2001:db8::1", 16 * k_s).empty());
}

TEST(AddressMap, SharedAddressIsAmbiguousNotPicked) {
  AddressMap m(AddressMapLimits{16, 0});
  m.add("198.51.100.7", "b.example.com", 10 * k_s, 300);
  m.add("198.51.100.7", "a.example.com", 20 * k_s, 300);
  m.add("198.51.100.7", "a.example.com", 21 * k_s, 300); // same name again: still two names
  auto names = m.lookup("198.51.100.7", 30 * k_s);
  EXPECT_EQ(names, (Names{"a.example.com", "b.example.com"}));
  EXPECT_EQ(ambiguity_note(names), "ambiguous: a.example.com, b.example.com");
  EXPECT_EQ(ambiguity_note(Names{"a.example.com"}), "");
  // Before the second answer only the first name was valid.
  EXPECT_EQ(m.lookup("198.51.100.7", 15 * k_s), Names{"b.example.com"});
}

TEST(AddressMap, ExpiredNameDoesNotMakeAmbiguity) {
  AddressMap m(AddressMapLimits{16, 0});
  m.add("203.0.113.9", "old.example.com", 0, 10);
  m.add("203.0.113.9", "new.example.com", 100 * k_s, 10);
  EXPECT_EQ(m.lookup("203.0.113.9", 105 * k_s), Names{"new.example.com"});
}

TEST(AddressMap, RenewedAnswerExtendsAndLapsedStartsAgain) {
  AddressMap m(AddressMapLimits{16, 0});
  m.add("192.0.2.5", "r.example.com", 0, 10);
  m.add("192.0.2.5", "r.example.com", 8 * k_s, 10);
  EXPECT_EQ(m.lookup("192.0.2.5", 17 * k_s), Names{"r.example.com"}) << "overlapping answer extends";
  m.add("192.0.2.5", "r.example.com", 100 * k_s, 10);
  EXPECT_TRUE(m.lookup("192.0.2.5", 50 * k_s).empty()) << "the gap between lapsed windows is not covered";
  EXPECT_EQ(m.lookup("192.0.2.5", 105 * k_s), Names{"r.example.com"});
}

TEST(AddressMap, StaysBoundedExpiredFirst) {
  AddressMap m(AddressMapLimits{8, 0});
  for (int i = 0; i < 8; ++i) m.add("10.0.0." + std::to_string(i), "short.example.com", i * k_s, 1);
  // At t=1000 s all of them have expired; adding more must free them without counting a loss.
  for (int i = 0; i < 8; ++i) m.add("10.0.1." + std::to_string(i), "long.example.com", 1000 * k_s + i, 3600);
  EXPECT_LE(m.size(), 8U);
  EXPECT_EQ(m.evicted_live(), 0U);
  // Now every entry is live: more additions evict the oldest and count them.
  for (int i = 0; i < 100; ++i) m.add("10.0.2." + std::to_string(i), "more.example.com", 2000 * k_s + i, 3600);
  EXPECT_LE(m.size(), 8U);
  EXPECT_GT(m.evicted_live(), 0U);
  EXPECT_EQ(m.lookup("10.0.2.99", 2000 * k_s + 99), Names{"more.example.com"}) << "the newest survives";
  EXPECT_TRUE(m.lookup("10.0.1.0", 2000 * k_s).empty()) << "the oldest went first";
}

TEST(AddressMap, IgnoresEmpty) {
  AddressMap m;
  m.add("", "x.example.com", 0, 10);
  m.add("192.0.2.1", "", 0, 10);
  EXPECT_EQ(m.size(), 0U);
}

TEST(AddressMap, KeysAreAddressesNotText) {
  AddressMap m;
  m.add("not-an-address", "x.example.com", 0, 10);
  EXPECT_EQ(m.size(), 0U) << "no packet can go to it";
  m.add("2001:db8::1", "six.example.com", 0, 60);
  m.add("192.0.2.1", "four.example.com", 0, 60);
  EXPECT_EQ(m.lookup("2001:0db8:0:0::1", k_s), Names{"six.example.com"}) << "one address, two spellings";
  EXPECT_EQ(m.lookup("192.0.2.1", k_s), Names{"four.example.com"});
  EXPECT_TRUE(m.ever("2001:db8::1", "six.example.com"));
  EXPECT_FALSE(m.ever("2001:db8::1", "four.example.com"));
}

TEST(AddressMap, ManyAddressesStayFindableAcrossEvictions) {
  AddressMap m(AddressMapLimits{1000, 0});
  for (int i = 0; i < 5000; ++i)
    m.add("10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256), "n" + std::to_string(i) + ".example.com", i * k_s, 3600);
  EXPECT_LE(m.size(), 1000U);
  EXPECT_GT(m.evicted_live(), 0U);
  for (int i = 4900; i < 5000; ++i)
    EXPECT_EQ(m.lookup("10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256), i * k_s),
              Names{"n" + std::to_string(i) + ".example.com"}) << i;
}
