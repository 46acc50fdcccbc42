#include "netmap/dns/tally.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <unordered_map>

namespace {

using netmap::dns::Summary;
using netmap::dns::Tally;

struct Snapshot {
  Summary s;
  std::unordered_map<std::string, std::size_t> a, b, c;
};

Snapshot snap(const Tally& t) {
  Snapshot x;
  t.add_to(x.s, x.a, x.b, x.c);
  return x;
}

std::uint64_t count_of(const std::vector<netmap::dns::TallyEntry>& list, const std::string& name) {
  for (const auto& e : list)
    if (e.key == name) return e.count;
  return 0;
}

TEST(Tally, CountsNamesAndClientsWithVerdicts) {
  Tally t(100);
  for (int i = 0; i < 3; ++i) t.name("a.example", true, "allowed", "a.example");
  t.name("b.example", false, "unlisted", "b.example");
  t.client("127.0.0.1:1");
  t.client("127.0.0.1:1");
  t.client("127.0.0.1:2");
  t.client("127.0.0.1:1");
  auto x = snap(t);
  ASSERT_EQ(x.s.allowed.size(), 1u);
  EXPECT_EQ(x.s.allowed[0].count, 3u);
  EXPECT_EQ(x.s.allowed[0].verdict, "allowed");
  EXPECT_EQ(count_of(x.s.blocked, "b.example"), 1u);
  EXPECT_EQ(count_of(x.s.clients, "127.0.0.1:1"), 3u);
  EXPECT_EQ(count_of(x.s.clients, "127.0.0.1:2"), 1u);
}

TEST(Tally, PastTheCapacityNewNamesAreOnlyCountedOldOnesStillCount) {
  Tally t(1000);
  for (int i = 0; i < 5000; ++i) t.name("n" + std::to_string(i) + ".example", false, "unlisted", "");
  for (int i = 0; i < 1000; ++i) t.name("n" + std::to_string(i) + ".example", false, "unlisted", "");
  auto x = snap(t);
  EXPECT_EQ(x.s.blocked.size(), 1000u);
  EXPECT_EQ(x.s.untracked_names, 4000u);
  for (int i : {0, 500, 999}) EXPECT_EQ(count_of(x.s.blocked, "n" + std::to_string(i) + ".example"), 2u);
}

TEST(Tally, ReadersMayWalkWhileTheOwnerCounts) {
  // The summary (SIGUSR1) reads while the worker inserts; the total must come out exact.
  Tally t(20000);
  std::atomic<bool> done{false};
  std::thread reader([&] {
    while (!done.load()) (void)snap(t);
  });
  for (int i = 0; i < 40000; ++i) t.name("r" + std::to_string(i % 15000) + ".example", false, "unlisted", "");
  done = true;
  reader.join();
  auto x = snap(t);
  std::uint64_t total = 0;
  for (const auto& e : x.s.blocked) total += e.count;
  EXPECT_EQ(x.s.blocked.size(), 15000u);
  EXPECT_EQ(total, 40000u);
}

} // namespace
