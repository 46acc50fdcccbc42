// Every truncation of a valid packet, and corrupted copies: never a crash, always a drop counted.

#include "dissect_test_helpers.hpp"
#include "message_builder.hpp"
#include "quic_builder.hpp"

#include <gtest/gtest.h>

#include <random>

namespace netmap::dissect {
namespace {

using testgen::Bytes;
using testgen::Link;

std::vector<std::pair<Link, Bytes>> valid_frames() {
  std::vector<std::pair<Link, Bytes>> v;
  testgen::Endpoints dns{"192.0.2.1", "192.0.2.53", 40000, 53};
  v.emplace_back(Link::Ethernet, testgen::frame(Link::Ethernet, testgen::udp_packet(dns.reversed(),
      testgen::DnsBuilder::response(1, "a.example.com", testgen::k_rr_a,
                                    testgen::cname_chain("a.example.com", {"b.example.net"}, {"192.0.2.9"})))));
  testgen::IpOptions ext;
  ext.ipv6_ext = {{0, 8, 0, false}, {60, 16, 0, false}};
  v.emplace_back(Link::Sll2, testgen::frame(Link::Sll2, testgen::udp_packet(
      {"2001:db8::1", "2001:db8::53", 1, 53}, testgen::DnsBuilder::query(2, "b.example.com", 28), ext)));
  testgen::TcpFlow t({"10.0.0.1", "10.0.0.2", 1000, 443}, 1, 1);
  (void)t.syn();
  v.emplace_back(Link::Ethernet, testgen::frame(Link::Ethernet, t.client(testgen::tls_records(testgen::client_hello({"c.example.com"}))), 2));
  testgen::TcpFlow h({"10.0.0.1", "10.0.0.2", 1001, 80}, 1, 1);
  (void)h.syn();
  v.emplace_back(Link::Sll, testgen::frame(Link::Sll, h.client(testgen::http_request("GET", "/", "d.example.com"))));
  for (const auto& dg : testgen::quic_client_initials(testgen::client_hello({"e.example.com"}), {}))
    v.emplace_back(Link::Null, testgen::frame(Link::Null, testgen::udp_packet({"10.0.0.1", "10.0.0.2", 1002, 443}, dg)));
  return v;
}

std::uint64_t total_drops(const Dissector& d) {
  std::uint64_t n = 0;
  for (const auto& [k, v] : d.drops()) n += v;
  return n;
}

TEST(DissectTruncation, EveryPrefixOfAValidFrameCountsADrop) {
  for (const auto& [link, frame] : valid_frames()) {
    {
      Dissector whole;
      auto out = test::run(whole, link, {frame});
      ASSERT_FALSE(out.empty());
      ASSERT_EQ(total_drops(whole), 0u);
    }
    Limits small;
    small.max_flows = 16; // a fresh, cheap dissector per prefix
    for (std::size_t n = 0; n < frame.size(); ++n) {
      Dissector d(small);
      std::vector<Observation> out;
      d.packet(static_cast<LinkType>(link), std::span(frame).first(n), 1, out);
      ASSERT_EQ(total_drops(d), 1u) << "link " << static_cast<int>(link) << " cut at " << n;
    }
  }
}

TEST(DissectTruncation, CorruptedFramesNeverCrash) {
  std::mt19937 rng(12345);
  Dissector d;
  std::vector<Observation> out;
  std::int64_t t = 1;
  for (const auto& [link, frame] : valid_frames()) {
    for (int round = 0; round < 3000; ++round) {
      Bytes copy = frame;
      for (int flips = 1 + static_cast<int>(rng() % 4); flips > 0; --flips)
        copy[rng() % copy.size()] = static_cast<std::uint8_t>(rng());
      d.packet(static_cast<LinkType>(link), copy, ++t, out);
      out.clear();
    }
  }
  EXPECT_EQ(d.packets(), 3000u * valid_frames().size());
}

} // namespace
} // namespace netmap::dissect
