#include "netmap/dns/near_cache.hpp"

#include "netmap/base/hash.hpp"

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

// The hash a question for `name`, type A, class IN, no DO/CD is filed under.
std::uint64_t qh(const std::string& name) { return NearCache::question_hash(netmap::base::hash_text(name), 1, 1, 0); }

TEST(NearCache, RemembersAnEntryAndTheRuleForOneGeneration) {
  NearCache near(64);
  netmap::policy::Rule rule;
  rule.written = "**.example.com";
  auto e = entry("k1", 1000);
  EXPECT_FALSE(near.may_hold(qh("k1")));
  EXPECT_EQ(near.find(qh("k1"), "k1", 1, 0).entry, nullptr);
  near.remember(qh("k1"), 1, e, &rule);
  EXPECT_TRUE(near.may_hold(qh("k1")));
  auto hit = near.find(qh("k1"), "k1", 1, 999);
  EXPECT_EQ(hit.entry, e.get());
  EXPECT_EQ(hit.rule, &rule);
}

TEST(NearCache, TheQuestionHashSeparatesTypesClassesAndBits) {
  auto n = netmap::base::hash_text("www.example.com");
  auto a = NearCache::question_hash(n, 1, 1, 0);
  EXPECT_NE(a, NearCache::question_hash(n, 28, 1, 0));
  EXPECT_NE(a, NearCache::question_hash(n, 1, 3, 0));
  EXPECT_NE(a, NearCache::question_hash(n, 1, 1, 1));
  EXPECT_NE(a, NearCache::question_hash(n, 1, 1, 2));
}

TEST(NearCache, ANewPolicyGenerationMissesEverySlot) {
  NearCache near(64);
  near.remember(qh("k1"), 1, entry("k1", 1000), nullptr);
  EXPECT_EQ(near.find(qh("k1"), "k1", 2, 0).entry, nullptr);
}

TEST(NearCache, AHashThatCollidesStillComparesTheKey) {
  NearCache near(64);
  near.remember(qh("k1"), 1, entry("k1", 1000), nullptr);
  EXPECT_EQ(near.find(qh("k1"), "k2", 1, 0).entry, nullptr); // same hash, another question
}

TEST(NearCache, ASlotSharedByTwoKeysAnswersOnlyTheOneItHolds) {
  NearCache near(1); // every key lands in the one slot
  auto a = entry("alpha", 1000), b = entry("beta", 1000);
  near.remember(qh("alpha"), 1, a, nullptr);
  EXPECT_EQ(near.find(qh("beta"), "beta", 1, 0).entry, nullptr);
  near.remember(qh("beta"), 1, b, nullptr);
  EXPECT_EQ(near.find(qh("alpha"), "alpha", 1, 0).entry, nullptr);
  EXPECT_EQ(near.find(qh("beta"), "beta", 1, 0).entry, b.get());
}

TEST(NearCache, AnExpiredEntryMissesAndIsLetGo) {
  NearCache near(8);
  auto e = entry("k1", 1000);
  near.remember(qh("k1"), 1, e, nullptr);
  EXPECT_EQ(e.use_count(), 2);
  EXPECT_EQ(near.find(qh("k1"), "k1", 1, 1000).entry, nullptr);
  EXPECT_EQ(e.use_count(), 1); // the slot no longer keeps it alive
  EXPECT_FALSE(near.may_hold(qh("k1")));
}

} // namespace
