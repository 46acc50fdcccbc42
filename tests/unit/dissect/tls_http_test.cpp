// TLS ClientHello and HTTP request heads: versions, splits, ECH, budgets, and what is not them.

#include "dissect_test_helpers.hpp"
#include "message_builder.hpp"
#include "netmap/dissect/http_request.hpp"
#include "netmap/dissect/tls_client_hello.hpp"

#include <gtest/gtest.h>

namespace netmap::dissect {
namespace {

using testgen::Bytes;

std::vector<Observation> over_tcp(const std::vector<Bytes>& payloads, Dissector& d,
                                  std::uint16_t port = 443) {
  testgen::TcpFlow f({"10.0.0.1", "10.0.0.2", 40000, port}, 77, 88);
  std::vector<Bytes> frames{f.syn()};
  for (const auto& p : payloads) frames.push_back(f.client(p));
  return test::run(d, testgen::Link::Raw, frames);
}

TEST(DissectTls, Tls10To13AndAnyPort) {
  for (std::uint16_t v : {std::uint16_t{0x0301}, std::uint16_t{0x0302}, std::uint16_t{0x0303}}) {
    testgen::HelloOptions o{"v.example.com"};
    o.version = v;
    o.tls13 = v == 0x0303;
    Dissector d;
    auto out = over_tcp({testgen::tls_records(testgen::client_hello(o))}, d, 9999);
    EXPECT_NE(test::find(out, ObservationKind::TlsSni, "v.example.com"), nullptr) << v;
  }
}

TEST(DissectTls, OneByteRecordsInOneByteSegments) {
  Bytes rec = testgen::tls_records(testgen::client_hello({"tiny.example.com"}), 1);
  std::vector<Bytes> segs;
  for (auto b : rec) segs.push_back(Bytes{b});
  Dissector d;
  auto out = over_tcp(segs, d);
  EXPECT_NE(test::find(out, ObservationKind::TlsSni, "tiny.example.com"), nullptr);
  EXPECT_TRUE(d.drops().empty());
}

TEST(DissectTls, RetransmittedAndOverlappingSegments) {
  Bytes rec = testgen::tls_records(testgen::client_hello({"retx.example.com"}));
  testgen::TcpFlow f({"10.0.0.1", "10.0.0.2", 40001, 443}, 5, 6);
  std::uint32_t s = f.client_seq() + 1;
  std::vector<Bytes> frames{f.syn(), f.client_at(s, Bytes(rec.begin(), rec.begin() + 50)),
                            f.client_at(s, Bytes(rec.begin(), rec.begin() + 50)),
                            f.client_at(s + 20, Bytes(rec.begin() + 20, rec.begin() + 120)),
                            f.client_at(s + 120, Bytes(rec.begin() + 120, rec.end()))};
  Dissector d;
  auto out = test::run(d, testgen::Link::Raw, frames);
  EXPECT_NE(test::find(out, ObservationKind::TlsSni, "retx.example.com"), nullptr);
}

TEST(DissectTls, NoSniNoNameAndEscapedSni) {
  Dissector d;
  auto out = over_tcp({testgen::tls_records(testgen::client_hello({}))}, d);
  ASSERT_EQ(out.size(), 1u); // the connection only
  EXPECT_EQ(out[0].kind, ObservationKind::Connection);
  Dissector e;
  auto odd = over_tcp({testgen::tls_records(testgen::client_hello({"Evil\x1b[31m.Example.COM."}))}, e);
  EXPECT_NE(test::find(odd, ObservationKind::TlsSni, "evil\\027[31m.example.com"), nullptr);
}

TEST(DissectTls, MalformedHelloIsADropAndOtherBytesAreNot) {
  Bytes hs = testgen::client_hello({"bad.example.com"});
  hs[4 + 2 + 32] = 200; // session id longer than 32
  Dissector d;
  auto out = over_tcp({testgen::tls_records(hs)}, d);
  EXPECT_EQ(d.drops().at("bad-tls"), 1u);
  Dissector e;
  out = over_tcp({Bytes{0x17, 0x03, 0x03, 0x00, 0x10}, Bytes(16, 0x55)}, e);
  EXPECT_TRUE(e.drops().empty());
}

TEST(DissectTls, HelloBeyondTheBudgetStillNamesTheServerWhenTheNameCameFirst) {
  testgen::HelloOptions o{"early.example.com"};
  o.padding = 9000;
  Limits l;
  l.max_flow_bytes = 1024;
  Dissector d(l);
  Bytes rec = testgen::tls_records(testgen::client_hello(o));
  auto out = over_tcp({Bytes(rec.begin(), rec.begin() + 600), Bytes(rec.begin() + 600, rec.end())}, d);
  const Observation* s = test::find(out, ObservationKind::TlsSni, "early.example.com");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->note, "truncated");
}

TEST(DissectTls, ScanStatuses) {
  Bytes rec = testgen::tls_records(testgen::client_hello({"s.example"}));
  std::vector<std::uint8_t> scratch;
  ClientHello h;
  EXPECT_EQ(scan_tls_stream(std::span(rec).first(10), scratch, h), Scan::NeedMore);
  EXPECT_EQ(scan_tls_stream(rec, scratch, h), Scan::Found);
  Bytes get{'G', 'E', 'T', ' '};
  EXPECT_EQ(scan_tls_stream(get, scratch, h), Scan::NotThis);
}

TEST(DissectHttp, RequestLineIsTheTruth) {
  struct Case { std::string head; ObservationKind kind; std::string host; std::uint16_t port; };
  std::vector<Case> cases{
      {"CONNECT [2001:DB8::1]:8443 HTTP/1.1\r\nHost: ignored.example\r\n\r\n", ObservationKind::HttpConnect, "2001:db8::1", 8443},
      {"GET https://user:pw@Files.Example.NET:444/x?y HTTP/1.1\r\nHost: other.example\r\n\r\n", ObservationKind::HttpHost, "files.example.net", 444},
      {"POST /upload HTTP/1.0\nhost:   plain.example.\n\n", ObservationKind::HttpHost, "plain.example", 0},
  };
  for (const auto& c : cases) {
    Dissector d;
    auto out = over_tcp({Bytes(c.head.begin(), c.head.end())}, d, 8080);
    const Observation* o = test::find(out, c.kind, c.host);
    ASSERT_NE(o, nullptr) << c.head;
    EXPECT_EQ(o->target_port, c.port);
  }
}

TEST(DissectHttp, ProxyKeepAliveReportsEveryAbsoluteFormRequest) {
  Dissector d;
  auto out = over_tcp({testgen::http_request("GET", "http://a.example/1", "a.example"),
                       testgen::http_request("GET", "http://b.example:8080/2", "b.example"),
                       testgen::http_request("HEAD", "http://a.example/3", "a.example")}, d, 3128);
  EXPECT_EQ(test::summary(out), (std::vector<std::string>{
      "connection 10.0.0.2", "http-host a.example absolute-form",
      "http-host b.example absolute-form", "http-host a.example absolute-form"}));
}

TEST(DissectHttp, TheTunnelAfterConnectIsReadForItsClientHello) {
  Dissector d;
  auto out = over_tcp({testgen::http_request("CONNECT", "pypi.org:443", ""),
                       testgen::tls_records(testgen::client_hello({"pypi.org"})),
                       Bytes(1400, 0x17)}, d, 3128);
  EXPECT_EQ(test::summary(out), (std::vector<std::string>{"connection 10.0.0.2",
                                                          "http-connect pypi.org", "tls pypi.org"}));
}

TEST(DissectHttp, HeadSplitAcrossSegments) {
  Bytes head = testgen::http_request("GET", "/", "split.example.org");
  std::vector<Bytes> segs;
  for (std::size_t i = 0; i < head.size(); i += 7)
    segs.emplace_back(head.begin() + static_cast<std::ptrdiff_t>(i),
                      head.begin() + static_cast<std::ptrdiff_t>(std::min(head.size(), i + 7)));
  Dissector d;
  auto out = over_tcp(segs, d, 80);
  EXPECT_NE(test::find(out, ObservationKind::HttpHost, "split.example.org"), nullptr);
}

TEST(DissectHttp, WhatIsNotARequestHead) {
  HttpRequest r;
  auto scan = [&](const std::string& s) {
    return scan_http_request({reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}, r);
  };
  EXPECT_EQ(scan("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), Scan::NotThis);
  EXPECT_EQ(scan("HTTP/1.1 200 OK\r\n"), Scan::NotThis);
  EXPECT_EQ(scan("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n"), Scan::NotThis); // no Host
  EXPECT_EQ(scan("GET / HTTP/1.1\r\nAcc"), Scan::NeedMore);
  EXPECT_EQ(scan("get / HTTP/1.1\r\n"), Scan::NotThis);
  EXPECT_EQ(scan("CONNECT host:99999 HTTP/1.1\r\n\r\n"), Scan::Malformed);
}

} // namespace
} // namespace netmap::dissect
