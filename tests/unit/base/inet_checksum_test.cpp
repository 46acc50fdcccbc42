#include "netmap/base/inet_checksum.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

using netmap::base::inet_checksum;
using netmap::base::inet_fold;
using netmap::base::inet_sum;
using netmap::base::transport_checksum;

TEST(InetChecksum, MatchesTheRfc1071Example) {
  // RFC 1071 §3: these words sum to ddf2 (with the carries folded in).
  std::array<std::uint8_t, 8> b{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(inet_sum(b), 0xddf2u);
  EXPECT_EQ(inet_checksum(b), 0x220d);
}

TEST(InetChecksum, AnIpv4HeaderVerifiesToZero) {
  std::array<std::uint8_t, 20> h{0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                                 0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
  EXPECT_EQ(inet_checksum(h), 0xb861);
  h[10] = 0xb8;
  h[11] = 0x61;
  EXPECT_EQ(inet_checksum(h), 0);
}

TEST(InetChecksum, AnOddLastByteIsPaddedAndARunningSumSplitsOnEvenBoundaries) {
  std::array<std::uint8_t, 5> b{0x12, 0x34, 0x56, 0x78, 0x9a};
  EXPECT_EQ(inet_sum(b), 0x1234u + 0x5678u + 0x9a00u - 0xffffu);
  EXPECT_EQ(inet_sum(std::span(b).subspan(2), inet_sum(std::span(b).first(2))), inet_sum(b));
  EXPECT_EQ(inet_fold(0), 0xffff);
  EXPECT_EQ(inet_fold(0x1fffe), 0);
}

TEST(InetChecksum, ASumOfManyBytesDoesNotOverflow) {
  std::vector<std::uint8_t> big(1 << 20, 0xff);
  EXPECT_EQ(inet_sum(big), 0xffffu);
  EXPECT_EQ(inet_checksum(big), 0);
}

TEST(InetChecksum, TransportChecksumCoversThePseudoHeader) {
  // A UDP datagram 192.0.2.1:1000 -> 198.51.100.2:53 with 2 payload bytes, summed by hand:
  // c000+0201+c633+6402 + 0011 + 000a + 03e8+0035+000a+0000+abcd.
  std::array<std::uint8_t, 4> src{192, 0, 2, 1}, dst{198, 51, 100, 2};
  std::array<std::uint8_t, 10> udp{0x03, 0xe8, 0x00, 0x35, 0x00, 0x0a, 0x00, 0x00, 0xab, 0xcd};
  std::uint32_t sum = 0xc000 + 0x0201 + 0xc633 + 0x6402 + 0x11 + 0x0a + 0x03e8 + 0x35 + 0x0a + 0xabcd;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  std::uint16_t expected = static_cast<std::uint16_t>(~sum & 0xffff);
  EXPECT_EQ(transport_checksum(src, dst, 17, udp), expected);
  udp[6] = static_cast<std::uint8_t>(expected >> 8);
  udp[7] = static_cast<std::uint8_t>(expected);
  EXPECT_EQ(transport_checksum(src, dst, 17, udp), 0);
  // IPv6 addresses: the same segment under different addresses sums differently.
  std::array<std::uint8_t, 16> s6{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  std::array<std::uint8_t, 16> d6{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
  EXPECT_NE(transport_checksum(s6, d6, 17, udp), 0);
}
