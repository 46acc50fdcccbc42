// The DNS name decoder and message decoder against hostile and awkward messages, and DNS over TCP.

#include "dissect_test_helpers.hpp"
#include "message_builder.hpp"
#include "netmap/dissect/dns_message.hpp"
#include "netmap/dissect/dns_name.hpp"

#include <gtest/gtest.h>

#include <cstdio>

namespace netmap::dissect {
namespace {

using testgen::Bytes;

std::optional<std::string> name_at(const Bytes& msg, std::size_t pos) {
  base::ByteReader r(msg);
  if (!r.seek(pos)) return std::nullopt;
  std::string out;
  if (!read_dns_name(r, out)) return std::nullopt;
  return out;
}

TEST(DissectDnsName, LowercasesAndEscapes) {
  Bytes m{3, 'W', 'w', 'W', 4, 'a', '.', 'b', 0x07, 0};
  EXPECT_EQ(name_at(m, 0), "www.a\\.b\\007");
  EXPECT_EQ(name_at(Bytes{0}, 0), "");
}

TEST(DissectDnsName, PointersOnlyGoBackwards) {
  // offset 0: "com", offset 5: "example" + pointer to 0
  Bytes m{3, 'c', 'o', 'm', 0, 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0xc0, 0};
  EXPECT_EQ(name_at(m, 5), "example.com");
  Bytes self{0xc0, 0};            // points at itself
  EXPECT_FALSE(name_at(self, 0));
  Bytes forward{0xc0, 2, 1, 'a', 0}; // points forward
  EXPECT_FALSE(name_at(forward, 0));
  Bytes loop{1, 'a', 0xc0, 0};    // a → start of itself: not strictly before the name
  EXPECT_FALSE(name_at(loop, 0));
  Bytes cycle{1, 'a', 0xc0, 4, 1, 'b', 0xc0, 0}; // b@4 → a@0 → b@4 …
  EXPECT_FALSE(name_at(cycle, 4));
  Bytes ext{0x41, 0}; // RFC 6891 extended label type
  EXPECT_FALSE(name_at(ext, 0));
}

TEST(DissectDnsName, WireLengthIsLimitedTo255) {
  Bytes m;
  for (int i = 0; i < 4; ++i) {
    m.push_back(63);
    m.insert(m.end(), 63, 'x');
  }
  m.push_back(0);
  EXPECT_FALSE(name_at(m, 0)); // 4 × 64 + 1 = 257 bytes
  m.erase(m.begin() + 192, m.begin() + 256);
  EXPECT_TRUE(name_at(m, 0));
}

TEST(DissectDnsMessage, CnameLoopEndsAndCountsAreNotTrusted) {
  std::vector<testgen::DnsRr> rrs{{"a.example", testgen::k_rr_cname, 1, "b.example", 1, {}, {}},
                                  {"b.example", testgen::k_rr_cname, 1, "a.example", 1, {}, {}}};
  Bytes m = testgen::DnsBuilder::response(1, "a.example", 1, rrs);
  auto msg = decode_dns_message(m, false);
  ASSERT_TRUE(msg);
  auto res = resolve_answers(*msg, "a.example");
  EXPECT_EQ(res.chain.size(), 2u);
  m[7] = 200; // ANCOUNT says 200 records; only 2 are present
  EXPECT_FALSE(decode_dns_message(m, false));
  auto partial = decode_dns_message(m, true);
  ASSERT_TRUE(partial);
  EXPECT_TRUE(partial->partial);
  EXPECT_EQ(partial->answers.size(), 2u);
}

// `m` with an authority SOA-shaped record (root owner, 22 bytes of rdata) and an EDNS OPT.
Bytes with_authority_and_opt(Bytes m) {
  m[9] = 1;  // NSCOUNT
  m[11] = 1; // ARCOUNT
  Bytes soa = {0, 0, 6, 0, 1, 0, 0, 0, 60, 0, 22};
  soa.insert(soa.end(), 22, 0);
  m.insert(m.end(), soa.begin(), soa.end());
  m.insert(m.end(), {0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0});
  return m;
}

TEST(DissectDnsMessage, SizeCoversEverySectionOrIsZero) {
  Bytes m = with_authority_and_opt(testgen::DnsBuilder::response(1, "a.example", 1, {}, 3));
  auto msg = decode_dns_message(m, false);
  ASSERT_TRUE(msg);
  EXPECT_EQ(msg->size, m.size());
  Bytes longer = m;
  longer.push_back(0xff);
  auto more = decode_dns_message(longer, false);
  ASSERT_TRUE(more);
  EXPECT_EQ(more->size, m.size()); // what follows is not part of it
  Bytes cut(m.begin(), m.end() - 3); // the OPT record runs short: the answer is still read
  auto short_msg = decode_dns_message(cut, false);
  ASSERT_TRUE(short_msg);
  EXPECT_EQ(short_msg->size, 0u);
}

TEST(DissectDnsUdp, ReadsEveryMessageOfAGsoSendSeenWhole) {
  // sandbox-dns sends a batch's equal-size answers to one client as one UDP GSO send, which a
  // capture on lo sees as one datagram: pieces of the first message's size, the last shorter.
  auto answer = [](std::uint16_t id, const std::string& name) {
    return with_authority_and_opt(testgen::DnsBuilder::response(id, name, 1, {}, 3));
  };
  Bytes gso = answer(1, "aa.example");
  for (const auto& piece : {answer(2, "bb.example"), answer(3, "c.example")})
    gso.insert(gso.end(), piece.begin(), piece.end());
  Bytes junk = answer(4, "dd.example"); // one message and bytes that are none
  junk.insert(junk.end(), {1, 2, 3, 4, 5});
  Bytes uneven = answer(5, "ee.example"); // a longer second message cannot come from one send
  Bytes longer = answer(6, "longer.example");
  uneven.insert(uneven.end(), longer.begin(), longer.end());
  std::vector<Bytes> frames;
  for (const auto* payload : {&gso, &junk, &uneven})
    frames.push_back(testgen::udp_packet({"127.0.0.1", "127.0.0.1", 53, 40000}, *payload));
  Dissector d;
  auto got = test::summary(test::run(d, testgen::Link::Raw, frames));
  EXPECT_EQ(got, (std::vector<std::string>{"dns-answer aa.example", "dns-answer bb.example",
                                           "dns-answer c.example", "dns-answer dd.example",
                                           "dns-answer ee.example"}));
  EXPECT_TRUE(d.drops().empty());
}

TEST(DissectDnsUdp, AGsoSendCutByTheSnapshotKeepsItsWholePieces) {
  Bytes gso;
  for (std::uint16_t id = 1; id <= 3; ++id) {
    std::string name = "n" + std::to_string(id) + ".example";
    Bytes piece = with_authority_and_opt(testgen::DnsBuilder::response(id, name, 1, {}, 3));
    gso.insert(gso.end(), piece.begin(), piece.end());
  }
  Bytes frame = testgen::udp_packet({"127.0.0.1", "127.0.0.1", 53, 40000}, gso);
  frame.resize(frame.size() - 10); // the capture kept less than the IP header announces
  Dissector d;
  auto got = test::summary(test::run(d, testgen::Link::Raw, {frame}));
  EXPECT_EQ(got, (std::vector<std::string>{"dns-answer n1.example", "dns-answer n2.example"}));
}

TEST(DissectDnsUdp, ADatagramIsReadAsAtMost128Pieces) {
  // No kernel cuts a send into more; beyond, a hostile datagram would cost a decode a piece.
  Bytes many;
  for (int i = 0; i < 200; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "q%03d.example", i);
    Bytes q = testgen::DnsBuilder::query(static_cast<std::uint16_t>(i), name, 1);
    many.insert(many.end(), q.begin(), q.end());
  }
  Dissector d;
  auto got = test::run(d, testgen::Link::Raw, {testgen::udp_packet({"127.0.0.1", "127.0.0.1", 40000, 53}, many)});
  EXPECT_EQ(got.size(), 128u);
}

TEST(DissectDnsMessage, TypeAndRcodeNames) {
  EXPECT_EQ(dns_type_name(65), "HTTPS");
  EXPECT_EQ(dns_type_name(999), "TYPE999");
  EXPECT_EQ(dns_rcode_name(3), "NXDOMAIN");
  EXPECT_EQ(dns_rcode_name(11), "RCODE11");
}

TEST(DissectDnsTcp, TwoMessagesInOneSegmentAndOneSplitByteByByte) {
  testgen::TcpFlow f({"192.0.2.1", "192.0.2.53", 41000, 53}, 1, 1);
  Bytes two = testgen::DnsBuilder::tcp_framed(testgen::DnsBuilder::query(1, "one.example", 1));
  Bytes second = testgen::DnsBuilder::tcp_framed(testgen::DnsBuilder::query(2, "two.example", 28));
  two.insert(two.end(), second.begin(), second.end());
  std::vector<Bytes> frames{f.syn(), f.client(two)};
  Bytes third = testgen::DnsBuilder::tcp_framed(testgen::DnsBuilder::query(3, "three.example", 1));
  for (auto b : third) frames.push_back(f.client(Bytes{b}));
  Dissector d;
  auto got = test::summary(test::run(d, testgen::Link::Raw, frames));
  EXPECT_EQ(got, (std::vector<std::string>{"connection 192.0.2.53", "dns-query one.example",
                                           "dns-query two.example", "dns-query three.example"}));
}

TEST(DissectDnsTcp, MessageLargerThanTheBudgetIsDecodedAsFarAsItGoes) {
  std::vector<std::string> addrs;
  for (int i = 0; i < 300; ++i) addrs.push_back("198.51.100." + std::to_string(i % 250));
  Bytes big = testgen::DnsBuilder::tcp_framed(testgen::DnsBuilder::response(
      5, "big.example", 1, testgen::cname_chain("big.example", {}, addrs)));
  Bytes after = testgen::DnsBuilder::tcp_framed(testgen::DnsBuilder::response(
      6, "after.example", 1, testgen::cname_chain("after.example", {}, {"192.0.2.7"})));
  testgen::TcpFlow f({"192.0.2.1", "192.0.2.53", 41001, 53}, 1, 1);
  std::vector<Bytes> frames{f.syn(), f.syn_ack()};
  Bytes all = big;
  all.insert(all.end(), after.begin(), after.end());
  for (std::size_t i = 0; i < all.size(); i += 1000)
    frames.push_back(f.server(Bytes(all.begin() + static_cast<std::ptrdiff_t>(i),
                                    all.begin() + static_cast<std::ptrdiff_t>(std::min(all.size(), i + 1000)))));
  Limits l;
  l.max_flow_bytes = 2048;
  Dissector d(l);
  auto out = test::run(d, testgen::Link::Raw, frames);
  const Observation* b = test::find(out, ObservationKind::DnsAnswer, "big.example");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->note, "truncated");
  EXPECT_GT(b->answers.size(), 50u);
  EXPECT_LT(b->answers.size(), 300u);
  EXPECT_NE(test::find(out, ObservationKind::DnsAnswer, "after.example"), nullptr);
}

} // namespace
} // namespace netmap::dissect
