#include "netmap/sandbox/refusal.hpp"

#include "netmap/base/inet_checksum.hpp"
#include "packet_builder.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

using netmap::sandbox::refusal_for;
using namespace netmap::testgen;

namespace {

const Endpoints k_v4{"10.0.0.2", "192.0.2.1", 40000, 443};
const Endpoints k_v6{"fd00::2", "2001:db8::1", 40000, 443};

std::uint16_t be16(const Bytes& b, std::size_t at) { return static_cast<std::uint16_t>(b.at(at) << 8 | b.at(at + 1)); }

std::uint32_t be32(const Bytes& b, std::size_t at) {
  return std::uint32_t{be16(b, at)} << 16 | be16(b, at + 2);
}

bool is_v6(const Bytes& p) { return !p.empty() && (p[0] >> 4) == 6; }
std::size_t header_size(const Bytes& p) { return is_v6(p) ? 40 : static_cast<std::size_t>(p.at(0) & 0x0f) * 4; }
Bytes body(const Bytes& p) { return Bytes(p.begin() + static_cast<std::ptrdiff_t>(header_size(p)), p.end()); }
Bytes src_of(const Bytes& p) { return is_v6(p) ? Bytes(&p.at(8), &p.at(8) + 16) : Bytes(&p.at(12), &p.at(12) + 4); }
Bytes dst_of(const Bytes& p) { return is_v6(p) ? Bytes(&p.at(24), &p.at(24) + 16) : Bytes(&p.at(16), &p.at(16) + 4); }

// Checks the answer's IP header (RFC-shaped, lengths matching its size) and every checksum in it,
// recomputed over the bytes as sent.
void expect_well_formed(const Bytes& r, std::uint8_t protocol) {
  ASSERT_GE(r.size(), 20u);
  if (is_v6(r)) {
    ASSERT_GE(r.size(), 40u);
    EXPECT_EQ(be32(r, 0), 0x60000000u) << "traffic class and flow label 0";
    EXPECT_EQ(be16(r, 4), r.size() - 40);
    EXPECT_EQ(r[6], protocol);
    EXPECT_EQ(r[7], 64);
  } else {
    EXPECT_EQ(r[0], 0x45);
    EXPECT_EQ(be16(r, 2), r.size());
    EXPECT_EQ(be16(r, 4), 0) << "id";
    EXPECT_EQ(be16(r, 6), 0x4000) << "DF, no fragment offset";
    EXPECT_EQ(r[8], 64);
    EXPECT_EQ(r[9], protocol);
    EXPECT_EQ(netmap::base::inet_checksum(std::span(r).first(20)), 0) << "IPv4 header checksum";
  }
  Bytes b = body(r);
  if (protocol == 1) EXPECT_EQ(netmap::base::inet_checksum(b), 0) << "ICMPv4 checksum";
  else EXPECT_EQ(netmap::base::transport_checksum(src_of(r), dst_of(r), protocol, b), 0) << "pseudo-header checksum";
}

// The answer goes from the attempt's destination back to its source.
void expect_swapped(const Bytes& reply, const Bytes& attempt) {
  EXPECT_EQ(src_of(reply), dst_of(attempt));
  EXPECT_EQ(dst_of(reply), src_of(attempt));
}

struct Reset {
  std::uint16_t sport, dport;
  std::uint32_t seq, ack;
  std::uint8_t offset, flags;
  std::uint16_t window, urgent;
};

Reset expect_reset(const Bytes& attempt) {
  Bytes r = refusal_for(attempt);
  EXPECT_EQ(r.size(), is_v6(attempt) ? 60u : 40u);
  if (r.size() < 40) return {};
  expect_well_formed(r, 6);
  expect_swapped(r, attempt);
  Bytes t = body(r);
  return {be16(t, 0), be16(t, 2), be32(t, 4), be32(t, 8), t.at(12), t.at(13), be16(t, 14), be16(t, 18)};
}

// An ICMP error's type, code and quote, after checking the parts every error shares.
struct IcmpError {
  std::uint8_t type = 0, code = 0;
  Bytes quote;
};

IcmpError expect_icmp_error(const Bytes& attempt) {
  Bytes r = refusal_for(attempt);
  EXPECT_FALSE(r.empty());
  if (r.size() < 28) return {};
  std::uint8_t protocol = is_v6(attempt) ? 58 : 1;
  expect_well_formed(r, protocol);
  expect_swapped(r, attempt);
  EXPECT_LE(r.size(), is_v6(r) ? 1280u : 576u);
  Bytes m = body(r);
  EXPECT_EQ(be32(m, 4), 0u) << "unused";
  return {m[0], m[1], Bytes(m.begin() + 8, m.end())};
}

Bytes icmp_message(std::uint8_t type, std::uint8_t code, std::size_t extra = 8) {
  Bytes m{type, code, 0, 0, 0, 1, 0, 1};
  m.resize(8 + extra, 0x61);
  return m;
}

Bytes payload(std::size_t n) { return Bytes(n, 0x5a); }

} // namespace

TEST(Refusal, SynV4GetsResetAckAcknowledgingTheSyn) {
  Bytes syn = tcp_packet(k_v4, 1000, 0, k_syn, {});
  Reset t = expect_reset(syn);
  EXPECT_EQ(t.sport, 443);
  EXPECT_EQ(t.dport, 40000);
  EXPECT_EQ(t.seq, 0u);
  EXPECT_EQ(t.ack, 1001u);
  EXPECT_EQ(t.offset, 0x50);
  EXPECT_EQ(t.flags, k_rst | k_ack);
  EXPECT_EQ(t.window, 0);
  EXPECT_EQ(t.urgent, 0);
}

TEST(Refusal, SynV6GetsResetAckAcknowledgingTheSyn) {
  Bytes syn = tcp_packet(k_v6, 0xfffffffe, 0, k_syn, {});
  Reset t = expect_reset(syn);
  EXPECT_EQ(t.sport, 443);
  EXPECT_EQ(t.dport, 40000);
  EXPECT_EQ(t.seq, 0u);
  EXPECT_EQ(t.ack, 0xffffffffu);
  EXPECT_EQ(t.flags, k_rst | k_ack);
  EXPECT_EQ(expect_reset(tcp_packet(k_v6, 0xffffffff, 0, k_syn, {})).ack, 0u) << "wraps modulo 2^32";
}

TEST(Refusal, SegmentLengthCountsPayloadSynAndFin) {
  EXPECT_EQ(expect_reset(tcp_packet(k_v4, 100, 0, k_syn, payload(10))).ack, 111u);
  EXPECT_EQ(expect_reset(tcp_packet(k_v4, 100, 0, k_syn | k_fin, payload(10))).ack, 112u);
  EXPECT_EQ(expect_reset(tcp_packet(k_v6, 100, 0, k_fin, {})).ack, 101u);
  EXPECT_EQ(expect_reset(tcp_packet(k_v6, 100, 0, k_psh, payload(7))).ack, 107u);
  EXPECT_EQ(expect_reset(tcp_packet(k_v4, 100, 0, 0, {})).ack, 100u);
}

TEST(Refusal, SegmentWithAckGetsResetAtItsAck) {
  for (const auto& ep : {k_v4, k_v6}) {
    Reset t = expect_reset(tcp_packet(ep, 5000, 777777, k_ack | k_psh, payload(30)));
    EXPECT_EQ(t.seq, 777777u);
    EXPECT_EQ(t.ack, 0u);
    EXPECT_EQ(t.flags, k_rst) << "no ACK bit on a reset for a segment that had one";
    EXPECT_EQ(expect_reset(tcp_packet(ep, 1, 42, k_syn | k_ack, {})).seq, 42u);
    EXPECT_EQ(expect_reset(tcp_packet(ep, 1, 43, k_fin | k_ack, {})).seq, 43u);
  }
}

TEST(Refusal, ResetGetsNothing) {
  for (const auto& ep : {k_v4, k_v6}) {
    EXPECT_TRUE(refusal_for(tcp_packet(ep, 1, 0, k_rst, {})).empty());
    EXPECT_TRUE(refusal_for(tcp_packet(ep, 1, 9, k_rst | k_ack, {})).empty());
    EXPECT_TRUE(refusal_for(tcp_packet(ep, 1, 0, k_rst | k_syn, payload(5))).empty());
  }
}

TEST(Refusal, UdpV4GetsPortUnreachableQuotingTheDatagram) {
  Bytes dg = udp_packet({"10.0.0.2", "198.51.100.7", 5353, 53}, payload(20));
  IcmpError e = expect_icmp_error(dg);
  EXPECT_EQ(e.type, 3);
  EXPECT_EQ(e.code, 3);
  EXPECT_EQ(e.quote, dg);
}

TEST(Refusal, UdpV6GetsPortUnreachableQuotingTheDatagram) {
  Bytes dg = udp_packet({"fd00::2", "2001:db8::53", 5353, 53}, payload(20));
  IcmpError e = expect_icmp_error(dg);
  EXPECT_EQ(e.type, 1);
  EXPECT_EQ(e.code, 4);
  EXPECT_EQ(e.quote, dg);
}

TEST(Refusal, QuotesAreCutToTheFamilysLimit) {
  Bytes v4 = udp_packet({"10.0.0.2", "198.51.100.7", 5353, 4433}, payload(1400));
  IcmpError e4 = expect_icmp_error(v4);
  ASSERT_EQ(e4.quote.size(), 576u - 20 - 8) << "RFC 1812 §4.3.2.3: 576 bytes in all";
  EXPECT_EQ(e4.quote, Bytes(v4.begin(), v4.begin() + 548));
  EXPECT_EQ(refusal_for(v4).size(), 576u);
  Bytes v6 = udp_packet({"fd00::2", "2001:db8::53", 5353, 4433}, payload(1400));
  IcmpError e6 = expect_icmp_error(v6);
  ASSERT_EQ(e6.quote.size(), 1280u - 40 - 8) << "RFC 4443 §2.4(c): 1280 bytes in all";
  EXPECT_EQ(e6.quote, Bytes(v6.begin(), v6.begin() + 1232));
  EXPECT_EQ(refusal_for(v6).size(), 1280u);
}

TEST(Refusal, EchoRequestAndOtherProtocolsAreProhibited) {
  IcmpError ping4 = expect_icmp_error(ip_packet("10.0.0.2", "192.0.2.9", 1, icmp_message(8, 0)));
  EXPECT_EQ(ping4.type, 3);
  EXPECT_EQ(ping4.code, 13);
  IcmpError ping6 = expect_icmp_error(ip_packet("fd00::2", "2001:db8::9", 58, icmp_message(128, 0)));
  EXPECT_EQ(ping6.type, 1);
  EXPECT_EQ(ping6.code, 1);
  for (std::uint8_t proto : Bytes{47, 132, 58, 255}) {
    IcmpError e = expect_icmp_error(ip_packet("10.0.0.2", "192.0.2.9", proto, payload(12)));
    EXPECT_EQ(e.type, 3);
    EXPECT_EQ(e.code, 13) << int{proto};
  }
  for (std::uint8_t proto : Bytes{1, 47, 59, 132}) {
    IcmpError e = expect_icmp_error(ip_packet("fd00::2", "2001:db8::9", proto, payload(12)));
    EXPECT_EQ(e.type, 1);
    EXPECT_EQ(e.code, 1) << int{proto};
  }
}

TEST(Refusal, Ipv6ExtensionHeadersAreAnsweredAsProhibited) {
  for (std::uint8_t ext : Bytes{0, 43, 44, 60}) {
    IpOptions ip;
    ip.ipv6_ext.push_back({ext});
    IcmpError e = expect_icmp_error(tcp_packet(k_v6, 1, 0, k_syn, {}, ip));
    EXPECT_EQ(e.type, 1);
    EXPECT_EQ(e.code, 1) << int{ext};
  }
}

TEST(Refusal, OtherIcmpTypesGetNothing) {
  // Echo reply, destination unreachable, source quench, redirect, time exceeded, parameter
  // problem, timestamp, and an unassigned type.
  for (std::uint8_t type : Bytes{0, 3, 4, 5, 11, 12, 13, 14, 200})
    EXPECT_TRUE(refusal_for(ip_packet("10.0.0.2", "192.0.2.9", 1, icmp_message(type, 0))).empty()) << int{type};
  // Errors 1-4, echo reply, MLD, router and neighbour discovery, MLDv2, and an unassigned type.
  for (std::uint8_t type : Bytes{1, 2, 3, 4, 129, 130, 131, 133, 134, 135, 136, 137, 143, 200})
    EXPECT_TRUE(refusal_for(ip_packet("fd00::2", "2001:db8::9", 58, icmp_message(type, 0))).empty()) << int{type};
  // An echo request cut before its identifier is malformed.
  EXPECT_TRUE(refusal_for(ip_packet("10.0.0.2", "192.0.2.9", 1, Bytes{8, 0, 0, 0})).empty());
  EXPECT_TRUE(refusal_for(ip_packet("fd00::2", "2001:db8::9", 58, Bytes{128, 0, 0, 0, 0, 0, 0})).empty());
}

TEST(Refusal, LaterFragmentsGetNothingTheFirstIsAnswered) {
  IpOptions later;
  later.ipv4_fragment_offset = 185;
  EXPECT_TRUE(refusal_for(udp_packet({"10.0.0.2", "192.0.2.9", 1, 2}, payload(8), later)).empty());
  later.ipv4_more_fragments = true;
  EXPECT_TRUE(refusal_for(ip_packet("10.0.0.2", "192.0.2.9", 6, payload(40), later)).empty());
  IpOptions first;
  first.ipv4_more_fragments = true;
  EXPECT_EQ(expect_icmp_error(udp_packet({"10.0.0.2", "192.0.2.9", 1, 2}, payload(8), first)).code, 3);
}

TEST(Refusal, MulticastBroadcastAndNonUnicastSourcesGetNothing) {
  for (const char* dst : {"224.0.0.251", "239.255.255.250", "255.255.255.255", "0.0.0.0"}) {
    EXPECT_TRUE(refusal_for(udp_packet({"10.0.0.2", dst, 5353, 5353}, payload(4))).empty()) << dst;
    EXPECT_TRUE(refusal_for(tcp_packet({"10.0.0.2", dst, 1, 2}, 1, 0, k_syn, {})).empty()) << dst;
  }
  for (const char* src : {"0.0.0.0", "224.0.0.1", "255.255.255.255", "240.0.0.1", "127.0.0.1"}) {
    EXPECT_TRUE(refusal_for(udp_packet({src, "192.0.2.1", 68, 67}, payload(4))).empty()) << src;
    EXPECT_TRUE(refusal_for(tcp_packet({src, "192.0.2.1", 1, 2}, 1, 0, k_syn, {})).empty()) << src;
  }
  for (const char* dst : {"ff02::1", "ff05::1:3", "ff0e::1", "::"}) {
    EXPECT_TRUE(refusal_for(udp_packet({"fd00::2", dst, 5353, 5353}, payload(4))).empty()) << dst;
    EXPECT_TRUE(refusal_for(ip_packet("fd00::2", dst, 58, icmp_message(128, 0))).empty()) << dst;
  }
  for (const char* src : {"::", "ff02::1", "::1"}) {
    EXPECT_TRUE(refusal_for(udp_packet({src, "2001:db8::1", 546, 547}, payload(4))).empty()) << src;
    EXPECT_TRUE(refusal_for(tcp_packet({src, "2001:db8::1", 1, 2}, 1, 0, k_syn, {})).empty()) << src;
  }
}

TEST(Refusal, TruncatedSynGetsNothingAtEveryLength) {
  for (const auto& ep : {k_v4, k_v6}) {
    Bytes syn = tcp_packet(ep, 7, 0, k_syn, {});
    for (std::size_t n = 0; n < syn.size(); ++n)
      EXPECT_TRUE(refusal_for(std::span(syn).first(n)).empty()) << ep.src << " cut at " << n;
    EXPECT_FALSE(refusal_for(syn).empty());
  }
}

TEST(Refusal, TransportHeaderMustBeCompleteWhenTheIpLengthAgrees) {
  // The cut packets' own lengths say they are whole: only the transport header is short.
  for (const auto& ep : {k_v4, k_v6}) {
    Bytes syn = tcp_packet(ep, 7, 0, k_syn, {});
    bool v6 = ep.src.find(':') != std::string::npos;
    std::size_t ip = v6 ? 40 : 20;
    for (std::size_t n = ip; n <= syn.size(); ++n) {
      Bytes cut(syn.begin(), syn.begin() + static_cast<std::ptrdiff_t>(n));
      std::size_t length = v6 ? n - 40 : n;
      cut[v6 ? 4 : 2] = static_cast<std::uint8_t>(length >> 8);
      cut[v6 ? 5 : 3] = static_cast<std::uint8_t>(length);
      if (!v6) {
        cut[10] = cut[11] = 0;
        std::uint16_t c = netmap::base::inet_checksum(std::span(cut).first(20));
        cut[10] = static_cast<std::uint8_t>(c >> 8);
        cut[11] = static_cast<std::uint8_t>(c);
      }
      EXPECT_EQ(refusal_for(cut).empty(), n < syn.size()) << ep.src << " cut at " << n;
    }
    Bytes dg = udp_packet(ep, {});
    EXPECT_FALSE(refusal_for(dg).empty()) << "a UDP header alone is enough";
  }
}

TEST(Refusal, MalformedHeadersGetNothing) {
  Bytes syn = tcp_packet(k_v4, 1, 0, k_syn, {});
  auto with = [&](std::size_t at, std::uint8_t v) {
    Bytes b = syn;
    b[at] = v;
    return b;
  };
  EXPECT_TRUE(refusal_for(with(0, 0x55)).empty()) << "version 5";
  EXPECT_TRUE(refusal_for(with(0, 0x05)).empty()) << "version 0";
  EXPECT_TRUE(refusal_for(with(0, 0x44)).empty()) << "IHL 4";
  EXPECT_TRUE(refusal_for(with(0, 0x4f)).empty()) << "IHL beyond the total length";
  EXPECT_TRUE(refusal_for(with(3, 19)).empty()) << "total length below the header";
  EXPECT_TRUE(refusal_for(with(32, 0x40)).empty()) << "TCP data offset 4";
  EXPECT_TRUE(refusal_for(with(32, 0x60)).empty()) << "TCP data offset past the segment";
  Bytes v6 = tcp_packet(k_v6, 1, 0, k_syn, {});
  v6[0] = 0x40;
  EXPECT_TRUE(refusal_for(v6).empty()) << "an IPv6 header labelled 4";
  Bytes v6_long = tcp_packet(k_v6, 1, 0, k_syn, {});
  v6_long[5] = 21;
  EXPECT_TRUE(refusal_for(v6_long).empty()) << "payload length past the bytes";
}

TEST(Refusal, Ipv4OptionsAreSkippedAndNotCopied) {
  IpOptions ip;
  ip.ipv4_options = 12;
  Bytes syn = tcp_packet(k_v4, 41, 0, k_syn, payload(3), ip);
  ASSERT_EQ(syn[0], 0x48);
  Reset t = expect_reset(syn);
  EXPECT_EQ(t.ack, 45u);
  EXPECT_EQ(t.sport, 443);
  Bytes dg = udp_packet(k_v4, payload(5), ip);
  EXPECT_EQ(expect_icmp_error(dg).quote, dg) << "the quote keeps the options";
}

TEST(Refusal, BytesPastTheIpLengthAreIgnored) {
  for (const auto& ep : {k_v4, k_v6}) {
    Bytes syn = tcp_packet(ep, 9, 0, k_syn, {});
    Bytes padded = syn;
    padded.resize(syn.size() + 7, 0xee);
    EXPECT_EQ(refusal_for(padded), refusal_for(syn)) << "trailing bytes are not payload";
    Bytes dg = udp_packet(ep, payload(6));
    Bytes dg_padded = dg;
    dg_padded.resize(dg.size() + 18, 0xee);
    EXPECT_EQ(expect_icmp_error(dg_padded).quote, dg);
  }
}

TEST(Refusal, AnAnswerIsNeverAnswered) {
  std::vector<Bytes> attempts;
  for (const auto& ep : {k_v4, k_v6}) {
    attempts.push_back(tcp_packet(ep, 1, 0, k_syn, {}));
    attempts.push_back(tcp_packet(ep, 1, 2, k_ack, payload(100)));
    attempts.push_back(udp_packet(ep, payload(1400)));
    attempts.push_back(ip_packet(ep.src, ep.dst, 132, payload(9)));
  }
  attempts.push_back(ip_packet("10.0.0.2", "192.0.2.9", 1, icmp_message(8, 0)));
  attempts.push_back(ip_packet("fd00::2", "2001:db8::9", 58, icmp_message(128, 0)));
  for (const auto& a : attempts) {
    Bytes answer = refusal_for(a);
    ASSERT_FALSE(answer.empty());
    EXPECT_TRUE(refusal_for(answer).empty());
  }
}
