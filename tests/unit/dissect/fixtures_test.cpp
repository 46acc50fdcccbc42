// Every generator fixture through the dissector: the names, notes and drops each one promises.

#include "dissect_test_helpers.hpp"
#include "fixtures.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace netmap::dissect {
namespace {

TEST(DissectFixtures, EachFixtureYieldsItsExpectations) {
  for (const auto& fx : testgen::make_fixtures()) {
    SCOPED_TRACE(fx.file);
    Dissector d;
    std::vector<Observation> out;
    for (const auto& [t, bytes] : fx.frames) {
      std::size_t n = std::min<std::size_t>(bytes.size(), fx.snaplen);
      d.packet(static_cast<LinkType>(fx.link), std::span(bytes).first(n), t, out);
    }
    auto got = test::summary(out);
    for (const auto& want : fx.expect)
      EXPECT_NE(std::find(got.begin(), got.end(), want), got.end()) << "missing: " << want;
    for (const auto& reason : fx.expect_drops) {
      EXPECT_GT(d.drops().count(reason), 0u) << "no drop counted for " << reason;
    }
    if (fx.expect_drops.empty()) {
      EXPECT_TRUE(d.drops().empty());
    }
    EXPECT_EQ(d.packets(), fx.frames.size());
  }
}

TEST(DissectFixtures, DnsAnswerResolvesTheCnameChainAgainstTheAskedName) {
  Dissector d;
  std::vector<Observation> out;
  for (const auto& fx : testgen::make_fixtures()) {
    if (fx.file != "eth_dns_udp.pcap") continue;
    for (const auto& [t, bytes] : fx.frames) d.packet(LinkType::Ethernet, bytes, t, out);
  }
  const Observation* a = test::find(out, ObservationKind::DnsAnswer, "www.example.com");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->qtype, "A");
  EXPECT_EQ(a->rcode, "NOERROR");
  EXPECT_EQ(a->cname_chain,
            (std::vector<std::string>{"www.example.com.cdn.example.net", "edge7.cdn.example.net"}));
  ASSERT_EQ(a->answers.size(), 2u);
  EXPECT_EQ(a->answers[0].address, "198.51.100.10");
  EXPECT_EQ(a->answers[0].ttl, 120u);
  EXPECT_EQ(a->src, "192.0.2.53");
  EXPECT_EQ(a->dst, "192.0.2.1");
  const Observation* h = test::find(out, ObservationKind::DnsAnswer, "svc.example.org");
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->qtype, "HTTPS");
  EXPECT_EQ(h->svcb_targets, std::vector<std::string>{"pool.svc-cdn.example"});
  ASSERT_EQ(h->answers.size(), 2u);
  EXPECT_EQ(h->answers[0].address, "203.0.113.5");
  EXPECT_EQ(h->answers[1].address, "2001:db8::5");
  const Observation* nx = test::find(out, ObservationKind::DnsAnswer, "missing.example.com");
  ASSERT_NE(nx, nullptr);
  EXPECT_EQ(nx->rcode, "NXDOMAIN");
  EXPECT_TRUE(nx->answers.empty());
}

TEST(DissectFixtures, HttpReportsPortsAndTheConnectAuthority) {
  Dissector d;
  std::vector<Observation> out;
  for (const auto& fx : testgen::make_fixtures()) {
    if (fx.file != "sll_http.pcap") continue;
    for (const auto& [t, bytes] : fx.frames) d.packet(LinkType::LinuxSll, bytes, t, out);
  }
  const Observation* host = test::find(out, ObservationKind::HttpHost, "registry.npmjs.org");
  ASSERT_NE(host, nullptr);
  EXPECT_EQ(host->target_port, 8080);
  const Observation* c = test::find(out, ObservationKind::HttpConnect, "pypi.org");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->target_port, 443);
  EXPECT_EQ(c->dst_port, 3128);
  EXPECT_EQ(c->transport, "tcp");
}

TEST(DissectFixtures, MdnsIsSkippedUnlessAsked) {
  testgen::Fixture bare;
  for (auto& fx : testgen::make_fixtures())
    if (fx.file == "eth_bare_ip.pcapng") bare = fx;
  for (bool mdns : {false, true}) {
    Limits l;
    l.mdns_llmnr = mdns;
    Dissector d(l);
    std::vector<Observation> out;
    for (const auto& [t, bytes] : bare.frames) d.packet(LinkType::Ethernet, bytes, t, out);
    EXPECT_EQ(test::find(out, ObservationKind::DnsQuery, "printer.local") != nullptr, mdns);
    // The NTP reply belongs to a known flow: one connection, not two.
    auto got = test::summary(out);
    EXPECT_EQ(std::count(got.begin(), got.end(), "connection 198.51.100.9"), 1);
  }
}

} // namespace
} // namespace netmap::dissect
