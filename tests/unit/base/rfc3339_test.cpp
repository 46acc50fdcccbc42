#include "netmap/base/clock.hpp"

#include <gtest/gtest.h>

#include <cstdint>

using netmap::base::parse_rfc3339;

TEST(Rfc3339, ReadsWhatNetmapWrites) {
  const std::int64_t t = 1764324000123456; // 2025-11-28T10:00:00.123456Z
  auto r = parse_rfc3339(netmap::base::format_rfc3339(t));
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r.value(), t);
  EXPECT_EQ(parse_rfc3339("2025-11-28T10:00:00Z").value(), 1764324000000000);
  EXPECT_EQ(parse_rfc3339("2025-11-28t10:00:00z").value(), 1764324000000000) << "RFC 3339 §5.6 NOTE";
  EXPECT_EQ(parse_rfc3339("2025-11-28T10:00:00.1234567Z").value(), 1764324000123456) << "digits past 6 are cut";
}

// An offset is valid RFC 3339: converted to UTC rather than refused (audit finding 12).
TEST(Rfc3339, ConvertsOffsetsToUtc) {
  EXPECT_EQ(parse_rfc3339("2025-11-28T12:00:00+02:00").value(), 1764324000000000);
  EXPECT_EQ(parse_rfc3339("2025-11-28T05:30:00.5-04:30").value(), 1764324000500000);
  EXPECT_EQ(parse_rfc3339("2025-11-28T10:00:00-00:00").value(), 1764324000000000);
}

// A date that does not exist is refused, not moved to the next month (audit: 30 February).
TEST(Rfc3339, RefusesDatesThatDoNotExist) {
  EXPECT_FALSE(parse_rfc3339("2026-02-30T10:00:00Z").ok());
  EXPECT_NE(parse_rfc3339("2026-02-30T10:00:00Z").error().find("day 30"), std::string::npos);
  EXPECT_FALSE(parse_rfc3339("2026-02-29T10:00:00Z").ok());
  EXPECT_TRUE(parse_rfc3339("2024-02-29T10:00:00Z").ok()) << "a leap year";
  EXPECT_FALSE(parse_rfc3339("2100-02-29T10:00:00Z").ok()) << "a century that is no leap year";
  EXPECT_FALSE(parse_rfc3339("2026-13-01T10:00:00Z").ok());
  EXPECT_FALSE(parse_rfc3339("2026-04-31T10:00:00Z").ok());
  EXPECT_FALSE(parse_rfc3339("2026-01-01T24:00:00Z").ok());
  EXPECT_FALSE(parse_rfc3339("2026-01-01T10:60:00Z").ok());
  EXPECT_FALSE(parse_rfc3339("2026-01-01T10:00:00+24:00").ok());
}

TEST(Rfc3339, RefusesOtherShapesAndUnwritableTimes) {
  for (const char* bad : {"", "yesterday", "2026-01-01", "2026-01-01T10:00:00", "2026-01-01 10:00:00Z",
                          " 2026-01-01T10:00:00Z", "2026-1-01T10:00:00Z", "2026-01-01T10:00:00.Z",
                          "2026-01-01T10:00:00Zjunk", "2026-01-01T10:00:00+0200", "+2026-01-01T10:00:00Z",
                          "2026-01-01T10:00:+1Z"})
    EXPECT_FALSE(parse_rfc3339(bad).ok()) << bad;
  EXPECT_FALSE(parse_rfc3339("1969-12-31T23:59:59Z").ok()) << "before the epoch";
  EXPECT_FALSE(parse_rfc3339("9999-12-31T23:00:00-02:00").ok()) << "after year 9999 in UTC";
  EXPECT_TRUE(parse_rfc3339("9999-12-31T23:59:59.999999Z").ok());
}

// Every time format_rfc3339 writes reads back; what the format cannot hold is written as the epoch.
TEST(Rfc3339, FormatWritesOnlyWhatParseReads) {
  std::int64_t t = 1795860000123456;
  EXPECT_EQ(parse_rfc3339(netmap::base::format_rfc3339(t)).value(), t);
  EXPECT_EQ(parse_rfc3339("2026-11-28T10:00:00Z").value(), std::int64_t{1795860000} * 1000000);
  EXPECT_EQ(parse_rfc3339("2026-11-28T10:00:00.5Z").value(), std::int64_t{1795860000} * 1000000 + 500000);
  EXPECT_FALSE(parse_rfc3339("yesterday").ok());
  EXPECT_FALSE(parse_rfc3339("2026-11-28T10:00:00").ok());
  using netmap::base::format_rfc3339;
  using netmap::base::k_max_rfc3339_us;
  EXPECT_EQ(parse_rfc3339(format_rfc3339(k_max_rfc3339_us)).value(), k_max_rfc3339_us);
  EXPECT_EQ(format_rfc3339(k_max_rfc3339_us + 1), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(format_rfc3339(-1), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(format_rfc3339(INT64_MAX), "1970-01-01T00:00:00.000000Z");
}
