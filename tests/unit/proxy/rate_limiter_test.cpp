#include "netmap/proxy/rate_limiter.hpp"

#include <gtest/gtest.h>

using namespace netmap::proxy;

namespace {
constexpr std::int64_t k_s = 1'000'000'000;
}

TEST(RateLimiter, RequestsPerSecondPerHost) {
  RateLimiter rl(2, 0);
  double retry = 0;
  std::int64_t t = 10 * k_s;
  EXPECT_TRUE(rl.admit_request("a.test", t, &retry));
  EXPECT_TRUE(rl.admit_request("a.test", t, &retry));
  EXPECT_FALSE(rl.admit_request("a.test", t, &retry)); // burst of 2 spent
  EXPECT_GT(retry, 0.0);
  EXPECT_LE(retry, 0.5 + 1e-9);
  EXPECT_TRUE(rl.admit_request("b.test", t, &retry));  // other hosts have their own bucket
  EXPECT_TRUE(rl.admit_request("a.test", t + k_s / 2, &retry)); // refilled one token after 0.5 s
  EXPECT_FALSE(rl.admit_request("a.test", t + k_s / 2, &retry));
}

TEST(RateLimiter, Unlimited) {
  RateLimiter rl(0, 0);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(rl.admit_request("a", 0, nullptr));
  EXPECT_EQ(rl.take_bytes("a", 1 << 20, 0), std::size_t{1} << 20);
  EXPECT_FALSE(rl.limits_bytes());
}

TEST(RateLimiter, BytesPerSecond) {
  RateLimiter rl(0, 10000);
  std::int64_t t = 5 * k_s;
  EXPECT_EQ(rl.take_bytes("a", 6000, t), 6000u);
  EXPECT_EQ(rl.take_bytes("a", 6000, t), 4000u); // only the burst remains
  EXPECT_EQ(rl.take_bytes("a", 6000, t), 0u);
  EXPECT_GT(rl.bytes_wait_ns("a", t), 0);
  rl.return_bytes("a", 1000, t);
  EXPECT_EQ(rl.take_bytes("a", 6000, t), 1000u);
  EXPECT_EQ(rl.take_bytes("a", 6000, t + k_s / 10), 1000u); // 0.1 s refills 1000 bytes
  EXPECT_EQ(rl.take_bytes("b", 500, t), 500u);
}

TEST(TokenBucket, NeverExceedsBurst) {
  TokenBucket b(100, 10, 0);
  EXPECT_EQ(b.take(50, 100 * k_s), 10.0);
  EXPECT_EQ(b.wait_ns(1, 100 * k_s), k_s / 100);
}
