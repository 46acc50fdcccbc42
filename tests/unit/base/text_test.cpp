#include "netmap/base/clock.hpp"
#include "netmap/base/text.hpp"

#include <gtest/gtest.h>

using namespace netmap::base;

TEST(Text, EscapesControlAndNonAscii) {
  EXPECT_EQ(escape_bytes(std::string_view("a\x1b[31m\"\\\xff b", 11)), "a\\027[31m\\\"\\\\\\255\\032b");
}

TEST(Text, DidYouMean) {
  EXPECT_EQ(closest("alow", {"allow", "deny", "mock"}), "allow");
  EXPECT_EQ(closest("zzzzzz", {"allow", "deny"}), "");
}

TEST(Text, SplitAndTrim) {
  EXPECT_EQ(split("a,,b c", ", ").size(), 3u);
  EXPECT_EQ(trim("  x \t"), "x");
}

TEST(Clock, Rfc3339RoundTrip) {
  std::int64_t t = 1795860000123456;
  EXPECT_EQ(parse_rfc3339(format_rfc3339(t)), t);
  EXPECT_EQ(parse_rfc3339("2026-11-28T10:00:00Z"), std::int64_t{1795860000} * 1000000);
  EXPECT_EQ(parse_rfc3339("2026-11-28T10:00:00.5Z"), std::int64_t{1795860000} * 1000000 + 500000);
  EXPECT_EQ(parse_rfc3339("yesterday"), -1);
  EXPECT_EQ(parse_rfc3339("2026-11-28T10:00:00"), -1);
}
