#include "netmap/dns/wire.hpp"
#include "netmap/dissect/dns_message.hpp"

#include "netmap/base/byte_reader.hpp"
#include "netmap/policy/domain_name.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace netmap::dns;

namespace {

// A query as a stub sends it: header, one question, optionally an OPT RR.
std::vector<std::uint8_t> make_query(const std::string& name, std::uint16_t type, bool edns, std::uint16_t id = 0xBEEF,
                                     std::uint16_t flags = 0x0100) {
  std::vector<std::uint8_t> q = {static_cast<std::uint8_t>(id >> 8), static_cast<std::uint8_t>(id),
                                 static_cast<std::uint8_t>(flags >> 8), static_cast<std::uint8_t>(flags), 0, 1, 0, 0, 0, 0, 0,
                                 static_cast<std::uint8_t>(edns ? 1 : 0)};
  std::size_t start = 0;
  while (start <= name.size() && !name.empty()) {
    auto dot = name.find('.', start);
    if (dot == std::string::npos) dot = name.size();
    q.push_back(static_cast<std::uint8_t>(dot - start));
    for (std::size_t i = start; i < dot; ++i) q.push_back(static_cast<std::uint8_t>(name[i]));
    start = dot + 1;
  }
  q.push_back(0);
  q.push_back(static_cast<std::uint8_t>(type >> 8));
  q.push_back(static_cast<std::uint8_t>(type));
  q.push_back(0);
  q.push_back(1);
  if (edns) {
    std::vector<std::uint8_t> opt = {0, 0, 41, 0x10, 0x00, 0, 0, 0x80, 0, 0, 0};
    q.insert(q.end(), opt.begin(), opt.end());
  }
  return q;
}

} // namespace

TEST(DnsWire, ParsesQuestionKeepingCaseForEchoButLowercaseForPolicy) {
  auto pkt = make_query("WwW.ExAmple.COM", 1, true);
  Query q;
  ASSERT_EQ(parse_query(pkt, q), QueryStatus::Ok);
  EXPECT_EQ(q.id, 0xBEEF);
  EXPECT_EQ(q.name_view(), "www.example.com");
  EXPECT_TRUE(q.name_ok);
  EXPECT_TRUE(q.edns);
  EXPECT_TRUE(q.dnssec_ok);
  EXPECT_EQ(q.udp_size, 4096);
  EXPECT_EQ(q.qtype, 1);
  EXPECT_EQ(q.question_end, pkt.size() - 11);
}

TEST(DnsWire, ShortPacketsAndResponsesAreDropped) {
  Query q;
  std::vector<std::uint8_t> tiny = {1, 2, 3};
  EXPECT_EQ(parse_query(tiny, q), QueryStatus::Drop);
  auto resp = make_query("a.example", 1, false, 1, 0x8100);
  EXPECT_EQ(parse_query(resp, q), QueryStatus::Drop);
}

TEST(DnsWire, MalformedQuestionIsFormErrAndOtherOpcodesNotImp) {
  Query q;
  auto pkt = make_query("a.example", 1, false);
  pkt.resize(pkt.size() - 3); // cut inside QTYPE/QCLASS
  EXPECT_EQ(parse_query(pkt, q), QueryStatus::FormErr);
  auto two = make_query("a.example", 1, false);
  two[5] = 2; // QDCOUNT 2
  EXPECT_EQ(parse_query(two, q), QueryStatus::FormErr);
  auto notify = make_query("a.example", 6, false, 7, 0x2000); // opcode 4 (NOTIFY)
  EXPECT_EQ(parse_query(notify, q), QueryStatus::NotImp);
  auto ptr = make_query("a.example", 1, false);
  ptr[12] = 0xC0; // a compression pointer in the question
  EXPECT_EQ(parse_query(ptr, q), QueryStatus::FormErr);
}

TEST(DnsWire, EdnsVersionOtherThanZeroIsBadVers) {
  auto pkt = make_query("a.example", 1, true);
  pkt[pkt.size() - 5] = 1; // version byte of the OPT TTL
  Query q;
  EXPECT_EQ(parse_query(pkt, q), QueryStatus::BadVers);
  std::uint8_t out[512];
  std::size_t len = write_simple(out, pkt, q, 16);
  ASSERT_GT(len, 12u);
  EXPECT_EQ(out[3] & 0xF, 0);         // low rcode bits 0
  EXPECT_EQ(out[len - 11 + 5], 1);    // extended rcode 1: BADVERS = 16
}

TEST(DnsWire, NamesWithOddBytesAreNotHostNames) {
  auto pkt = make_query("a b.example", 1, false);
  Query q;
  ASSERT_EQ(parse_query(pkt, q), QueryStatus::Ok);
  EXPECT_FALSE(q.name_ok);
  EXPECT_EQ(display_name(pkt), "a\\032b.example");
}

// name_ok lets the worker hand the name to the matcher unchecked: it must agree with the
// policy library's own test of canonical host names on every name.
TEST(DnsWire, NameOkMeansCanonicalHostName) {
  for (std::string name : {"www.example.com", "WWW.Example.COM", "_dmarc.example.com", "a-b.example", "-a.example",
                           "a-.example", "a.-b.example", "example.123", "1.2.3.4", "4.3.2.1.in-addr.arpa", "x.1a",
                           "a_b.example", "*.example", "a+b.example", "xn--bcher-kva.example", "localhost", "xn--zz.example",
                           "XN--zz.example", "a.xn--.example"}) {
    auto pkt = make_query(name, 1, false);
    Query q;
    ASSERT_EQ(parse_query(pkt, q), QueryStatus::Ok) << name;
    EXPECT_EQ(q.name_ok, netmap::policy::is_canonical_host(q.name_view())) << name;
  }
}

TEST(DnsWire, BlockedAnswerEchoesQuestionAndCarriesEde) {
  auto pkt = make_query("Evil.Example", 28, true, 0x1234);
  Query q;
  ASSERT_EQ(parse_query(pkt, q), QueryStatus::Ok);
  std::uint8_t out[1024];
  std::string text = "netmap: not on the allowlist; to allow it add the rule 'evil.example'";
  std::size_t len = write_blocked(out, pkt, q, k_nxdomain, text);
  ASSERT_GT(len, 0u);
  EXPECT_EQ(load16(out), 0x1234);
  EXPECT_EQ(out[2] & 0x80, 0x80);  // QR
  EXPECT_EQ(out[3] & 0x0F, 3);     // NXDOMAIN
  EXPECT_EQ(load16(out + 8), 1);   // NSCOUNT: the SOA
  EXPECT_EQ(load16(out + 10), 1);  // ARCOUNT: OPT
  EXPECT_EQ(std::vector<std::uint8_t>(out + 12, out + q.question_end),
            std::vector<std::uint8_t>(pkt.begin() + 12, pkt.begin() + static_cast<long>(q.question_end)));
  std::string tail(reinterpret_cast<const char*>(out) + len - text.size(), text.size());
  EXPECT_EQ(tail, text);
  // No amplification: the query's question plus a fixed overhead (SOA + OPT + EDE).
  EXPECT_LE(len, q.question_end + k_blocked_soa_size + 11 + 6 + k_ede_text_max);
}

TEST(DnsWire, BlockedAnswerWithoutEdnsHasNoOpt) {
  auto pkt = make_query("x.example", 1, false);
  Query q;
  ASSERT_EQ(parse_query(pkt, q), QueryStatus::Ok);
  std::uint8_t out[512];
  std::size_t len = write_blocked(out, pkt, q, k_refused, "ignored");
  EXPECT_EQ(load16(out + 10), 0);
  EXPECT_EQ(out[3] & 0x0F, 5);
  EXPECT_EQ(len, q.question_end + k_blocked_soa_size);
}

// The SOA names netmap.invalid once: RNAME is "nobody" and a pointer to MNAME (RFC 1035 §4.1.4).
TEST(DnsWire, BlockedSoaRnamePointsAtMname) {
  auto pkt = make_query("a.long.name.under.some.example", 1, false);
  Query q;
  ASSERT_EQ(parse_query(pkt, q), QueryStatus::Ok);
  std::uint8_t out[512];
  ASSERT_EQ(write_blocked(out, pkt, q, k_nxdomain, ""), q.question_end + k_blocked_soa_size);
  const std::uint8_t* soa = out + q.question_end;
  EXPECT_EQ(soa[0], 0);               // owner: the root
  EXPECT_EQ(load16(soa + 1), 6);      // SOA
  EXPECT_EQ(load16(soa + 9), k_blocked_soa_size - 11); // RDLENGTH
  const std::size_t mname = q.question_end + 11;
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(out + mname), 16), std::string("\6netmap\7invalid", 15) + '\0');
  const std::uint8_t* rname = out + mname + 16;
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(rname), 7), "\6nobody");
  EXPECT_EQ(load16(rname + 7), 0xC000u | mname);
  EXPECT_EQ(load16(rname + 9 + 16) * 65536u + load16(rname + 9 + 18), 10u); // MINIMUM: the NXDOMAIN is cached 10 s
}

TEST(DnsWire, EdeTextIsCutToTheFixedMaximum) {
  auto pkt = make_query("x.example", 1, true);
  Query q;
  ASSERT_EQ(parse_query(pkt, q), QueryStatus::Ok);
  std::uint8_t out[2048];
  std::string huge(1000, 'a');
  std::size_t len = write_blocked(out, pkt, q, k_nxdomain, huge);
  EXPECT_EQ(len, q.question_end + k_blocked_soa_size + 11 + 6 + k_ede_text_max);
}

TEST(DnsWire, AnyIsAnsweredWithOneHinfo) {
  auto pkt = make_query("a.example", 255, false);
  Query q;
  ASSERT_EQ(parse_query(pkt, q), QueryStatus::Ok);
  std::uint8_t out[512];
  std::size_t len = write_any_hinfo(out, pkt, q);
  EXPECT_EQ(load16(out + 6), 1);
  std::string tail(reinterpret_cast<const char*>(out) + len - 9, 8);
  EXPECT_EQ(tail, std::string("\x07RFC8482", 8));
}

TEST(DnsWire, UpstreamQueryKeepsQuestionBytesAndAddsOpt) {
  auto pkt = make_query("MiXeD.example", 1, false, 0x4444);
  Query q;
  ASSERT_EQ(parse_query(pkt, q), QueryStatus::Ok);
  std::uint8_t out[512];
  std::size_t len = write_upstream_query(out, pkt, q, 0x9999);
  EXPECT_EQ(load16(out), 0x9999);
  EXPECT_EQ(load16(out + 10), 1);
  EXPECT_EQ(len, q.question_end + 11);
  EXPECT_EQ(out[13], 'M');
}

TEST(DnsWire, TypeAndRcodeNames) {
  EXPECT_EQ(netmap::dissect::dns_type_name(28), "AAAA");
  EXPECT_EQ(netmap::dissect::dns_type_name(65), "HTTPS");
  EXPECT_EQ(netmap::dissect::dns_type_name(4242), "TYPE4242");
  EXPECT_STREQ(rcode_name(3), "NXDOMAIN");
  EXPECT_STREQ(rcode_name(16), "BADVERS");
}
