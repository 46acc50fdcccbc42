#include "netmap/base/byte_reader.hpp"

#include <gtest/gtest.h>

#include <array>

using netmap::base::ByteReader;

TEST(ByteReader, ReadsBigEndianAndStopsAtTheEnd) {
  std::array<std::uint8_t, 7> b{0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde};
  ByteReader r(b);
  EXPECT_EQ(r.u16be(), 0x1234);
  EXPECT_EQ(r.u24be(), 0x56789au);
  EXPECT_EQ(r.remaining(), 2u);
  EXPECT_FALSE(r.u32be().has_value());
  EXPECT_EQ(r.remaining(), 2u) << "a failed read must not move";
  EXPECT_EQ(r.u16le(), 0xdebc);
  EXPECT_FALSE(r.u8().has_value());
  EXPECT_TRUE(r.empty());
}

TEST(ByteReader, SubReadersAreBounded) {
  std::array<std::uint8_t, 4> b{3, 'a', 'b', 'c'};
  ByteReader r(b);
  auto len = r.u8();
  ASSERT_TRUE(len);
  auto sub = r.sub(*len);
  ASSERT_TRUE(sub);
  EXPECT_EQ(sub->remaining(), 3u);
  EXPECT_FALSE(r.sub(1).has_value());
  EXPECT_FALSE(r.skip(1));
  EXPECT_TRUE(r.seek(0));
  EXPECT_FALSE(r.seek(5));
  EXPECT_EQ(r.peek(3), 'c');
  EXPECT_FALSE(r.peek(4).has_value());
}
