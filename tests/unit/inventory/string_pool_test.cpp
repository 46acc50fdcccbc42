#include "netmap/inventory/string_pool.hpp"

#include <gtest/gtest.h>

#include <string>

using netmap::inventory::StringPool;

TEST(StringPool, InternGivesEqualStringsOneId) {
  StringPool p;
  const auto a = p.intern("api.example.com");
  const auto b = p.intern("cdn.example.net");
  EXPECT_NE(a, b);
  EXPECT_EQ(p.intern(std::string("api.") + "example.com"), a);
  EXPECT_EQ(p.view(a), "api.example.com");
  EXPECT_EQ(p.view(b), "cdn.example.net");
  EXPECT_EQ(p.find("cdn.example.net"), b);
  EXPECT_EQ(p.find("never.example.org"), StringPool::k_none);
  EXPECT_EQ(p.intern(""), StringPool::k_empty);
  EXPECT_EQ(p.view(StringPool::k_empty), "");
}

TEST(StringPool, StoreDoesNotIntern) {
  StringPool p;
  const auto a = p.store("x.example.com");
  const auto b = p.store("x.example.com");
  EXPECT_NE(a, b);
  EXPECT_EQ(p.view(a), p.view(b));
  EXPECT_EQ(p.find("x.example.com"), StringPool::k_none);
}

TEST(StringPool, ManyStringsAcrossChunksAndLongOnesStayReadable) {
  StringPool p;
  std::vector<std::uint32_t> ids;
  for (int i = 0; i < 200000; ++i) ids.push_back(p.intern("host" + std::to_string(i) + ".example.com"));
  const std::string big(600000, 'x'); // more than a quarter chunk: a chunk of its own
  const auto big_id = p.intern(big);
  const auto after = p.intern("after-the-big-one.example.com");
  for (int i = 0; i < 200000; i += 997) EXPECT_EQ(p.view(ids[i]), "host" + std::to_string(i) + ".example.com");
  EXPECT_EQ(p.view(big_id), big);
  EXPECT_EQ(p.view(after), "after-the-big-one.example.com");
  EXPECT_EQ(p.intern("host12345.example.com"), ids[12345]);
  // ~25 bytes a string plus its length and index slot: well under what std::string nodes cost.
  EXPECT_LT(p.memory_bytes(), 200000u * 48u + 2u * big.size());
}
