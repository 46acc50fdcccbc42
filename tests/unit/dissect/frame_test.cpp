// Link layers, IPv4 options, IPv6 extension headers and fragments, on generator-built frames.

#include "dissect_test_helpers.hpp"
#include "message_builder.hpp"
#include "netmap/dissect/frame.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>

#include <algorithm>
#include <array>

namespace netmap::dissect {
namespace {

using testgen::Bytes;
using testgen::Link;

Bytes dns_query(const std::string& src, const std::string& dst, const testgen::IpOptions& ip = {}) {
  return testgen::udp_packet({src, dst, 40000, 53},
                             testgen::DnsBuilder::query(9, "link.example.com", testgen::k_rr_a), ip);
}

TEST(DissectFrame, EveryLinkTypeCarriesIpv4AndIpv6) {
  for (Link link : {Link::Ethernet, Link::Sll, Link::Sll2, Link::Raw, Link::Null, Link::Loop}) {
    for (const auto& [src, dst] : {std::pair{"192.0.2.1", "192.0.2.53"}, {"2001:db8::1", "2001:db8::53"}}) {
      SCOPED_TRACE(std::to_string(static_cast<int>(link)) + " " + src);
      Dissector d;
      auto out = test::run(d, link, {testgen::frame(link, dns_query(src, dst))});
      ASSERT_EQ(out.size(), 1u);
      EXPECT_EQ(out[0].name, "link.example.com");
      EXPECT_EQ(out[0].src, src);
      EXPECT_EQ(out[0].dst, dst);
      EXPECT_TRUE(d.drops().empty());
    }
  }
}

TEST(DissectFrame, VlanAndQinqTags) {
  for (int tags : {1, 2}) {
    Dissector d;
    auto out = test::run(d, Link::Ethernet, {testgen::frame(Link::Ethernet, dns_query("192.0.2.1", "192.0.2.53"), tags)});
    ASSERT_EQ(out.size(), 1u);
  }
}

TEST(DissectFrame, NullLoopbackInEitherByteOrderAndDltRaw) {
  Bytes ip = dns_query("2001:db8::1", "2001:db8::53");
  Bytes be{0, 0, 0, 30}; // Darwin's AF_INET6, written by a big-endian host
  be.insert(be.end(), ip.begin(), ip.end());
  Dissector d;
  std::vector<Observation> out;
  d.packet(LinkType::Null, be, 1, out);
  d.packet(static_cast<LinkType>(k_dlt_raw), ip, 2, out);
  EXPECT_EQ(out.size(), 2u);
  EXPECT_TRUE(supported_link(k_dlt_raw));
  EXPECT_FALSE(supported_link(147));
}

TEST(DissectFrame, Ipv6ExtensionHeadersAndIpv4Options) {
  testgen::IpOptions v6;
  v6.ipv6_ext = {{0, 16, 0, false}, {43, 24, 0, false}, {60, 8, 0, false}, {51, 16, 0, false}};
  testgen::IpOptions v4;
  v4.ipv4_options = 40; // the maximum: IHL 15
  Dissector d;
  auto out = test::run(d, Link::Raw, {dns_query("2001:db8::1", "2001:db8::53", v6),
                                      dns_query("192.0.2.1", "192.0.2.53", v4)});
  EXPECT_EQ(out.size(), 2u);
  EXPECT_TRUE(d.drops().empty());
}

TEST(DissectFrame, LaterFragmentsAreCountedNotParsed) {
  testgen::IpOptions v4;
  v4.ipv4_fragment_offset = 10;
  testgen::IpOptions v6;
  v6.ipv6_ext = {{44, 8, 10, false}};
  Dissector d;
  auto out = test::run(d, Link::Raw, {dns_query("192.0.2.1", "192.0.2.53", v4),
                                      dns_query("2001:db8::1", "2001:db8::53", v6)});
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(d.drops().at("ip-fragment"), 2u);
}

TEST(DissectFrame, NonIpIsIgnoredUnknownLinkIsDropped) {
  Bytes arp{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x06, 0, 1, 8, 0, 6, 4};
  Dissector d;
  std::vector<Observation> out;
  d.packet(LinkType::Ethernet, arp, 1, out);
  EXPECT_TRUE(d.drops().empty());
  d.packet(static_cast<LinkType>(147), arp, 2, out);
  EXPECT_EQ(d.drops().at("unsupported-link"), 1u);
  EXPECT_EQ(d.packets(), 2u);
}

TEST(DissectFrame, AddressesRenderAsText) {
  Frame f;
  Bytes ip = dns_query("2001:db8::1", "2001:db8::53");
  ASSERT_EQ(decode_frame(LinkType::Raw, ip, f), DropReason::None);
  EXPECT_EQ(f.src.to_string(), "2001:db8::1");
  EXPECT_EQ(f.transport, Transport::Udp);
  EXPECT_EQ(f.dst_port, 53);
}

} // namespace
} // namespace netmap::dissect

TEST(DissectFrame, AddressTextIsWhatInetNtopWrites) {
  std::uint32_t x = 12345;
  for (int i = 0; i < 5000; ++i) {
    std::array<std::uint8_t, 16> b{};
    for (auto& v : b) {
      x = x * 1103515245u + 12345u;
      v = static_cast<std::uint8_t>(x >> 16);
    }
    if (i % 7 == 0) b[1] = 0;
    if (i % 11 == 0) b[2] = 100;
    if (i % 13 == 0) std::fill(b.begin() + 2, b.begin() + 10, 0); // IPv6 zero runs
    char buf[INET6_ADDRSTRLEN];
    ASSERT_NE(inet_ntop(AF_INET, b.data(), buf, sizeof buf), nullptr);
    EXPECT_EQ(netmap::dissect::address_text(std::span<const std::uint8_t>(b).first(4)), buf);
    ASSERT_NE(inet_ntop(AF_INET6, b.data(), buf, sizeof buf), nullptr);
    EXPECT_EQ(netmap::dissect::address_text(b), buf);
  }
  EXPECT_EQ(netmap::dissect::address_text(std::array<std::uint8_t, 4>{0, 0, 0, 0}), "0.0.0.0");
  EXPECT_EQ(netmap::dissect::address_text(std::array<std::uint8_t, 4>{255, 255, 255, 255}), "255.255.255.255");
  EXPECT_EQ(netmap::dissect::address_text(std::array<std::uint8_t, 3>{1, 2, 3}), "");
}
