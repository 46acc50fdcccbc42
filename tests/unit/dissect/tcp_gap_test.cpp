// Sequence gaps (segments never captured, as the live kernel filter intends for bulk data) and
// kept-alive HTTP connections: reading resumes at the next head, hello or DNS message, and what
// a gap may have hidden is counted in lost_to_gaps().

#include "dissect_test_helpers.hpp"
#include "message_builder.hpp"

#include <gtest/gtest.h>

namespace netmap::dissect {
namespace {

using testgen::Bytes;

// What the kernel filter drops: payloads over 1200 bytes that start neither a TLS handshake
// record nor an HTTP method (kernel_filter.cpp).
bool kernel_filter_passes(const Bytes& payload) {
  if (payload.size() <= 1200) return true;
  if (payload.size() >= 2 && payload[0] == 0x16 && payload[1] == 0x03) return true;
  for (const char* m : {"GET ", "POST", "PUT ", "HEAD", "DELE", "OPTI", "PATC", "CONN", "TRAC"})
    if (std::equal(m, m + 4, payload.begin())) return true;
  return false;
}

// The client segments of `payloads` on one connection, each cut into `mss`-byte segments, with
// the ones the kernel filter would drop left out (when `filtered`).
std::vector<Bytes> client_segments(testgen::TcpFlow& f, const std::vector<Bytes>& payloads, bool filtered,
                                   std::size_t mss = 1448) {
  std::vector<Bytes> frames{f.syn()};
  for (const auto& p : payloads) {
    for (std::size_t i = 0; i < p.size(); i += mss) {
      Bytes seg(p.begin() + static_cast<std::ptrdiff_t>(i),
                p.begin() + static_cast<std::ptrdiff_t>(std::min(p.size(), i + mss)));
      Bytes frame = f.client(seg);
      if (!filtered || kernel_filter_passes(seg)) frames.push_back(std::move(frame));
    }
  }
  return frames;
}

Bytes post_with_body(const std::string& target, const std::string& host, std::size_t body) {
  std::string head = "POST " + target + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: " +
                     std::to_string(body) + "\r\n\r\n";
  Bytes out(head.begin(), head.end());
  out.resize(out.size() + body, 'x');
  return out;
}

std::vector<Observation> run_client(const std::vector<Bytes>& payloads, bool filtered, Dissector& d,
                                    std::uint16_t port = 8080) {
  testgen::TcpFlow f({"10.0.0.1", "10.0.0.2", 40000, port}, 1000, 2000);
  return test::run(d, testgen::Link::Raw, client_segments(f, payloads, filtered));
}

TEST(DissectKeepAlive, EveryOriginFormHostOnAReusedConnection) {
  Dissector d;
  auto out = run_client({testgen::http_request("GET", "/", "first.example.test"),
                         testgen::http_request("GET", "/", "second.example.test"),
                         testgen::http_request("GET", "/x", "first.example.test")},
                        false, d);
  EXPECT_EQ(test::summary(out), (std::vector<std::string>{"connection 10.0.0.2", "http-host first.example.test",
                                                          "http-host second.example.test",
                                                          "http-host first.example.test"}));
}

TEST(DissectKeepAlive, ALaterHeadSplitOverSegmentsIsJoined) {
  Bytes second = testgen::http_request("GET", "/", "split-later.example.test");
  std::vector<Bytes> payloads{testgen::http_request("GET", "/", "first.example.test")};
  for (std::size_t i = 0; i < second.size(); i += 9)
    payloads.emplace_back(second.begin() + static_cast<std::ptrdiff_t>(i),
                          second.begin() + static_cast<std::ptrdiff_t>(std::min(second.size(), i + 9)));
  Dissector d;
  auto out = run_client(payloads, false, d);
  EXPECT_NE(test::find(out, ObservationKind::HttpHost, "split-later.example.test"), nullptr);
}

TEST(DissectKeepAlive, AHeadWithoutHostDoesNotEndTheConnection) {
  std::string bare = "GET / HTTP/1.0\r\nAccept: */*\r\n\r\n";
  Dissector d;
  auto out = run_client({testgen::http_request("GET", "/", "a.example.test"), Bytes(bare.begin(), bare.end()),
                         testgen::http_request("GET", "/", "b.example.test")},
                        false, d);
  EXPECT_NE(test::find(out, ObservationKind::HttpHost, "b.example.test"), nullptr);
}

TEST(DissectKeepAlive, ABodyIsNotReadAsAHead) {
  Dissector d;
  auto out = run_client({post_with_body("/", "a.example.test", 50000)}, false, d);
  EXPECT_EQ(test::summary(out), (std::vector<std::string>{"connection 10.0.0.2", "http-host a.example.test"}));
  EXPECT_EQ(d.lost_to_gaps(), 0u);
}

// The audit's case: a 200 kB upload through a proxy, then a second request on the connection.
TEST(DissectGap, AHeadAfterFilteredBulkUploadIsFound) {
  for (bool absolute : {true, false}) {
    Dissector d;
    auto out = run_client({post_with_body(absolute ? "http://first.example.test/" : "/", "first.example.test", 200000),
                           testgen::http_request("GET", absolute ? "http://after-bulk.example.test/" : "/",
                                                 "after-bulk.example.test")},
                          true, d, 3128);
    EXPECT_NE(test::find(out, ObservationKind::HttpHost, "first.example.test"), nullptr) << absolute;
    EXPECT_NE(test::find(out, ObservationKind::HttpHost, "after-bulk.example.test"), nullptr) << absolute;
    EXPECT_EQ(d.lost_to_gaps(), 0u) << absolute; // nothing between the heads could name anything
  }
}

TEST(DissectGap, AShortGapInABodyStillResumes) {
  // 5 kB of body: the gap is inside the first-bytes budget, so it is first held, not given up.
  Dissector d;
  auto out = run_client({post_with_body("/", "first.example.test", 5000),
                         testgen::http_request("GET", "/", "second.example.test")},
                        true, d);
  EXPECT_NE(test::find(out, ObservationKind::HttpHost, "second.example.test"), nullptr);
}

TEST(DissectGap, ATlsConnectionAfterAGapInItsFirstBytesResumesAtTheHello) {
  // A first segment lost, then, far ahead, a ClientHello (a client that sent a large early
  // record first): reading resumes at the hello, and the lost first bytes are counted.
  testgen::TcpFlow f({"10.0.0.1", "10.0.0.2", 40001, 443}, 1000, 2000);
  std::vector<Bytes> frames{f.syn()};
  (void)f.client(Bytes(20000, 0x17));
  frames.push_back(f.client(testgen::tls_records(testgen::client_hello({"resumed.example.test"}))));
  Dissector d;
  auto out = test::run(d, testgen::Link::Raw, frames);
  EXPECT_NE(test::find(out, ObservationKind::TlsSni, "resumed.example.test"), nullptr);
  EXPECT_EQ(d.lost_to_gaps(), 1u);
}

TEST(DissectGap, AHelloWithAMissingMiddleIsCounted) {
  // A hello over three segments whose full-sized middle one the kernel filter dropped.
  testgen::HelloOptions o{"lost-middle.example.test"};
  o.padding = 3000;
  Bytes hello = testgen::tls_records(testgen::client_hello(o));
  Dissector d;
  auto out = run_client({hello}, true, d, 443);
  EXPECT_EQ(test::find(out, ObservationKind::TlsSni, "lost-middle.example.test"), nullptr);
  EXPECT_EQ(d.lost_to_gaps(), 1u); // still waiting at the end of the capture
  testgen::TcpFlow f({"10.0.0.1", "10.0.0.2", 40000, 443}, 1000, 2000);
  auto frames = client_segments(f, {hello}, true);
  frames.push_back(f.client_fin());
  Dissector closed;
  (void)test::run(closed, testgen::Link::Raw, frames);
  EXPECT_EQ(closed.lost_to_gaps(), 1u); // counted at the close
}

TEST(DissectGap, AHeadCutByAGapBeyondTheBudgetIsCountedAndTheNextHeadFound) {
  // The first head's continuation never comes; far ahead a new request begins.
  std::string part = "GET / HTTP/1.1\r\nUser-Agent: x\r\n";
  testgen::TcpFlow f({"10.0.0.1", "10.0.0.2", 40002, 80}, 1000, 2000);
  std::vector<Bytes> frames{f.syn(), f.client(Bytes(part.begin(), part.end()))};
  (void)f.client(Bytes(30000, 'a'));
  frames.push_back(f.client(testgen::http_request("GET", "/", "next.example.test")));
  Dissector d;
  auto out = test::run(d, testgen::Link::Raw, frames);
  EXPECT_NE(test::find(out, ObservationKind::HttpHost, "next.example.test"), nullptr);
  EXPECT_EQ(d.lost_to_gaps(), 1u);
}

TEST(DissectGap, DnsOverTcpResumesAtTheNextMessage) {
  auto msg = [](const std::string& name) {
    return testgen::DnsBuilder::tcp_framed(testgen::DnsBuilder::query(7, name, testgen::k_rr_a));
  };
  testgen::TcpFlow f({"10.0.0.1", "10.0.0.53", 40003, 53}, 1000, 2000);
  std::vector<Bytes> frames{f.syn(), f.client(msg("before.example.test"))};
  (void)f.client(Bytes(40000, 0)); // messages never captured
  frames.push_back(f.client(Bytes{0x00, 0x20, 0xab}));              // not a message start: waits
  frames.push_back(f.client(msg("after.example.test")));            // resumes here
  Dissector d;
  auto out = test::run(d, testgen::Link::Raw, frames);
  EXPECT_NE(test::find(out, ObservationKind::DnsQuery, "before.example.test"), nullptr);
  EXPECT_NE(test::find(out, ObservationKind::DnsQuery, "after.example.test"), nullptr);
  EXPECT_EQ(d.lost_to_gaps(), 1u);
}

TEST(DissectGap, HostileGapsStayBounded) {
  // Every segment far ahead of the last: nothing is held past the budget, time stays linear.
  Limits l;
  l.max_flow_bytes = 4096;
  Dissector d(l);
  testgen::TcpFlow f({"10.0.0.1", "10.0.0.2", 40004, 80}, 1000, 2000);
  std::vector<Bytes> frames{f.syn(), f.client(testgen::http_request("GET", "/", "a.example.test"))};
  for (int i = 0; i < 2000; ++i) {
    (void)f.client(Bytes(5000, 'z'));
    frames.push_back(f.client(i % 2 ? Bytes(700, 'y') : testgen::http_request("GET", "/", "b.example.test")));
  }
  auto out = test::run(d, testgen::Link::Raw, frames);
  EXPECT_EQ(out.size(), 2u + 1000u);
  EXPECT_EQ(d.lost_to_gaps(), 0u);
}

} // namespace
} // namespace netmap::dissect
