#include "netmap/dns/near_cache.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace {

using netmap::dns::CacheEntry;
using netmap::dns::NearCache;

std::shared_ptr<const CacheEntry> entry(const std::string& key, std::int64_t expires_ns) {
  auto e = std::make_shared<CacheEntry>();
  e->key = key;
  e->expires_ns = expires_ns;
  return e;
}

TEST(NearCache, RemembersAnEntryAndTheRuleForOneGeneration) {
  NearCache near(64);
  netmap::policy::Rule rule;
  rule.written = "**.example.com";
  auto e = entry("k1", 1000);
  EXPECT_EQ(near.find("k1", 1, 0).entry, nullptr);
  near.remember("k1", 1, e, &rule);
  auto hit = near.find("k1", 1, 999);
  EXPECT_EQ(hit.entry, e.get());
  EXPECT_EQ(hit.rule, &rule);
}

TEST(NearCache, ANewPolicyGenerationMissesEverySlot) {
  NearCache near(64);
  near.remember("k1", 1, entry("k1", 1000), nullptr);
  EXPECT_EQ(near.find("k1", 2, 0).entry, nullptr);
}

TEST(NearCache, ASlotSharedByTwoKeysAnswersOnlyTheOneItHolds) {
  NearCache near(1); // every key lands in the one slot
  auto a = entry("alpha", 1000), b = entry("beta", 1000);
  near.remember("alpha", 1, a, nullptr);
  EXPECT_EQ(near.find("beta", 1, 0).entry, nullptr);
  near.remember("beta", 1, b, nullptr);
  EXPECT_EQ(near.find("alpha", 1, 0).entry, nullptr);
  EXPECT_EQ(near.find("beta", 1, 0).entry, b.get());
}

TEST(NearCache, AnExpiredEntryMissesAndIsLetGo) {
  NearCache near(8);
  auto e = entry("k1", 1000);
  near.remember("k1", 1, e, nullptr);
  EXPECT_EQ(e.use_count(), 2);
  EXPECT_EQ(near.find("k1", 1, 1000).entry, nullptr);
  EXPECT_EQ(e.use_count(), 1); // the slot no longer keeps it alive
  EXPECT_EQ(near.find("k1", 1, 0).entry, nullptr);
}

} // namespace
