#include "netmap/proxy/request_head.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace netmap::proxy;

namespace {

RequestParse parse(const std::string& s, std::size_t max = 16384) {
  return parse_request_head({reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}, max);
}

} // namespace

TEST(RequestHead, ParsesConnect) {
  auto p = parse("CONNECT api.example.com:443 HTTP/1.1\r\nHost: api.example.com:443\r\nUser-Agent: x\r\n\r\nEXTRA");
  ASSERT_EQ(p.status, HeadStatus::Complete);
  EXPECT_EQ(p.head.method, "CONNECT");
  EXPECT_EQ(p.head.target, "api.example.com:443");
  EXPECT_EQ(p.head.minor_version, 1);
  ASSERT_EQ(p.head.headers.size(), 2u);
  EXPECT_EQ(p.head.find("user-agent")->value, "x");
  EXPECT_EQ(p.head_bytes, p.head_bytes); // consumed bytes exclude the tunnel's early bytes
  EXPECT_EQ(std::string("CONNECT api.example.com:443 HTTP/1.1\r\nHost: api.example.com:443\r\nUser-Agent: x\r\n\r\n").size(), p.head_bytes);
  auto t = parse_target(p.head);
  ASSERT_TRUE(t.target);
  EXPECT_TRUE(t.target->tunnel);
  EXPECT_EQ(t.target->authority.host, "api.example.com");
  EXPECT_EQ(t.target->authority.port, 443);
}

TEST(RequestHead, IncompleteUntilBlankLine) {
  EXPECT_EQ(parse("GET http://a.test/ HTTP/1.1\r\nHost: a.test\r\n").status, HeadStatus::Incomplete);
  EXPECT_EQ(parse("").status, HeadStatus::Incomplete);
}

TEST(RequestHead, AbsoluteForm) {
  auto p = parse("GET http://Files.Example.com:8080/a/b?q=1 HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(p.status, HeadStatus::Complete);
  auto t = parse_target(p.head);
  ASSERT_TRUE(t.target);
  EXPECT_FALSE(t.target->tunnel);
  EXPECT_EQ(t.target->authority.host, "files.example.com");
  EXPECT_EQ(t.target->authority.port, 8080);
  EXPECT_EQ(t.target->path, "/a/b?q=1");
  auto q = parse_target(parse("GET http://a.test HTTP/1.0\r\n\r\n").head);
  ASSERT_TRUE(q.target);
  EXPECT_EQ(q.target->authority.port, 80);
  EXPECT_EQ(q.target->path, "/");
}

TEST(RequestHead, RejectsHostileHeads) {
  // Each of these is a known request-smuggling or injection shape; all must be 400, never parsed.
  const char* bad[] = {
      "GET http://a.test/ HTTP/1.1\nHost: a\n\n",                       // bare LF
      "GET http://a.test/ HTTP/1.1\r\nHost: a\rX: y\r\n\r\n",           // bare CR
      "GET http://a.test/ HTTP/1.1\r\nX: a\r\n folded\r\n\r\n",          // obs-fold
      "GET http://a.test/ HTTP/1.1\r\nX : a\r\n\r\n",                    // space before colon
      "GET http://a.test/ HTTP/1.1\r\nX: a\x01b\r\n\r\n",                // control byte
      "GET  http://a.test/ HTTP/1.1\r\n\r\n",                            // double space
      "GET http://a.test/ HTTP/1.1 \r\n\r\n",                            // trailing space
      "G(T http://a.test/ HTTP/1.1\r\n\r\n",                             // bad method char
      "GET http://a.test/\x7f HTTP/1.1\r\n\r\n",                         // DEL in target
      "GET http://a.test/ HTTP/1.x\r\n\r\n",                             // bad version
      ": nothing\r\n\r\n",
  };
  for (const char* b : bad) {
    auto p = parse(b);
    EXPECT_EQ(p.status, HeadStatus::Error) << b;
    EXPECT_EQ(p.error_status, 400) << b;
    EXPECT_EQ(p.reason.find('\n'), std::string::npos);
  }
  EXPECT_EQ(parse("GET http://a.test/ HTTP/2.0\r\n\r\n").error_status, 505);
  std::string nul("GET http://a.test/ HTTP/1.1\r\nX: a");
  nul.push_back('\0');
  EXPECT_EQ(parse(nul).status, HeadStatus::Error);
}

TEST(RequestHead, SizeLimitIs431) {
  std::string big = "GET http://a.test/ HTTP/1.1\r\nX: " + std::string(20000, 'a') + "\r\n\r\n";
  auto p = parse(big, 16384);
  EXPECT_EQ(p.status, HeadStatus::Error);
  EXPECT_EQ(p.error_status, 431);
  std::string many = "GET http://a.test/ HTTP/1.1\r\n";
  for (int i = 0; i < 150; ++i) many += "X" + std::to_string(i) + ": y\r\n";
  EXPECT_EQ(parse(many + "\r\n").status, HeadStatus::Error);
  EXPECT_EQ(parse(many + "\r\n").error_status, 431); // too many fields is too large, not malformed
  // A request line that does not end within the limit: its target is too long (RFC 9112 §3).
  auto line = parse("GET http://a.test/" + std::string(20000, 'a') + " HTTP/1.1\r\n\r\n", 16384);
  EXPECT_EQ(line.status, HeadStatus::Error);
  EXPECT_EQ(line.error_status, 414);
}

TEST(RequestHead, TargetsAProxyRefuses) {
  auto target = [](const std::string& s) { return parse_target(parse(s).head); };
  EXPECT_FALSE(target("CONNECT a.test HTTP/1.1\r\n\r\n").target);             // no port
  EXPECT_FALSE(target("CONNECT a.test:0 HTTP/1.1\r\n\r\n").target);           // port 0
  EXPECT_FALSE(target("CONNECT a.test:65536 HTTP/1.1\r\n\r\n").target);       // port too big
  EXPECT_FALSE(target("CONNECT a.test:+443 HTTP/1.1\r\n\r\n").target);        // sign
  EXPECT_FALSE(target("CONNECT a.test:443x HTTP/1.1\r\n\r\n").target);
  EXPECT_FALSE(target("CONNECT user@a.test:443 HTTP/1.1\r\n\r\n").target);    // userinfo
  EXPECT_FALSE(target("CONNECT a%2etest:443 HTTP/1.1\r\n\r\n").target);       // percent-escape
  EXPECT_FALSE(target("GET /index.html HTTP/1.1\r\nHost: a\r\n\r\n").target); // origin-form
  EXPECT_FALSE(target("GET https://a.test/ HTTP/1.1\r\n\r\n").target);        // needs CONNECT
  EXPECT_FALSE(target("GET http://u:p@a.test/ HTTP/1.1\r\n\r\n").target);
  EXPECT_FALSE(target("GET http://a.test/#frag HTTP/1.1\r\n\r\n").target);
  EXPECT_FALSE(target("POST http://a.test/ HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n").target);
  EXPECT_FALSE(target("POST http://a.test/ HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n").target);
  EXPECT_FALSE(target("POST http://a.test/ HTTP/1.1\r\nContent-Length: -1\r\n\r\n").target);
  EXPECT_FALSE(target("GET http://a.test/ HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").target);
  auto v6 = target("CONNECT [::1]:443 HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(v6.target);
  EXPECT_TRUE(v6.target->authority.ip_literal);
  EXPECT_EQ(v6.target->authority.str(), "[::1]:443");
  auto v4 = target("CONNECT 10.0.0.1:443 HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(v4.target);
  EXPECT_TRUE(v4.target->authority.ip_literal);
}

TEST(RequestHead, ResponseHead) {
  std::string s = "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\nbody";
  auto r = parse_response_head({reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}, 16384);
  ASSERT_EQ(r.status, HeadStatus::Complete);
  EXPECT_EQ(r.head.status, 407);
  EXPECT_EQ(r.head.reason, "Proxy Authentication Required");
  EXPECT_EQ(r.head_bytes, s.size() - 4);
  std::string bad = "HTTP/1.1 9999 x\r\n\r\n";
  EXPECT_EQ(parse_response_head({reinterpret_cast<const std::uint8_t*>(bad.data()), bad.size()}, 16384).status, HeadStatus::Error);
}

// RFC 9112 §4: a reason phrase holds tabs, spaces, visible characters and obs-text only; a status
// line with control bytes is no valid response (the proxy answers 502 instead of relaying it).
TEST(RequestHead, ResponseReasonPhraseWithControlBytesIsInvalid) {
  auto parse = [](const std::string& s) {
    return parse_response_head({reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}, 16384);
  };
  for (const char* bad : {"HTTP/1.1 200 O\x1b[2JK\r\n\r\n", "HTTP/1.1 200 OK\x7f\r\n\r\n", "HTTP/1.1 200 O\x01K\r\n\r\n"})
    EXPECT_EQ(parse(bad).status, HeadStatus::Error) << bad;
  auto ok = parse("HTTP/1.1 200 Tr\xe8s\tbien\r\n\r\n");
  ASSERT_EQ(ok.status, HeadStatus::Complete);
  EXPECT_EQ(ok.head.reason, "Tr\xe8s\tbien");
  EXPECT_EQ(parse("HTTP/1.1 204\r\n\r\n").status, HeadStatus::Complete);
}

TEST(RequestHead, HopByHop) {
  EXPECT_TRUE(is_hop_by_hop("Proxy-Authorization", ""));
  EXPECT_TRUE(is_hop_by_hop("keep-alive", ""));
  EXPECT_TRUE(is_hop_by_hop("X-Secret", "close, x-secret"));
  EXPECT_FALSE(is_hop_by_hop("Accept", "close"));
  EXPECT_FALSE(is_hop_by_hop("Transfer-Encoding", "transfer-encoding")); // framing is never dropped
  // Dropping Content-Length would turn the body the proxy relays into a second request at the server.
  EXPECT_FALSE(is_hop_by_hop("Content-Length", "close, Content-Length"));
}

TEST(RequestHead, TransferEncodingMustBeChunkedAlone) {
  auto target = [](const std::string& te) {
    auto p = parse("POST http://a.test/ HTTP/1.1\r\nTransfer-Encoding: " + te + "\r\n\r\n");
    EXPECT_EQ(p.status, HeadStatus::Complete) << te;
    return parse_target(p.head);
  };
  auto ok = target("Chunked");
  ASSERT_TRUE(ok.target);
  EXPECT_TRUE(ok.target->chunked);
  for (const char* last_not_chunked : {"identity", "chunked, identity", "gzip", "chunked;q=1", "chunked,", ",chunked", ""}) {
    auto t = target(last_not_chunked);
    EXPECT_FALSE(t.target) << last_not_chunked;
    EXPECT_EQ(t.error_status, 400) << last_not_chunked;
  }
  for (const char* other : {"gzip, chunked", "chunked, chunked", "identity, chunked"}) {
    auto t = target(other);
    EXPECT_FALSE(t.target) << other;
    EXPECT_EQ(t.error_status, 501) << other;
  }
  // Split over two fields, the codings still add up (RFC 9110 §5.3).
  auto two = parse("POST http://a.test/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n");
  EXPECT_EQ(parse_target(two.head).error_status, 501);
}

TEST(RequestHead, ContentLengthGivesTheBodyLength) {
  auto p = parse("POST http://a.test/ HTTP/1.1\r\nContent-Length: 12\r\n\r\n");
  auto t = parse_target(p.head);
  ASSERT_TRUE(t.target);
  EXPECT_FALSE(t.target->chunked);
  EXPECT_EQ(t.target->content_length, 12u);
  auto none = parse_target(parse("GET http://a.test/ HTTP/1.1\r\n\r\n").head);
  ASSERT_TRUE(none.target);
  EXPECT_EQ(none.target->content_length, 0u);
}

TEST(RequestHead, EveryIpv4FormTheResolverTakesIsAnIpLiteral) {
  // getaddrinfo reads these as 127.0.0.1; as host names they would slip past the literal check.
  for (const char* host : {"127.0.0.1", "0x7f.0x1", "0X7F.0X1", "0x7f000001", "0x7f.0.0.0x1", "127.1", "2130706433",
                           "0177.0.0.1", "0x7f.0x1."}) {
    auto a = parse_authority(std::string(host) + ":443", std::nullopt);
    ASSERT_TRUE(a) << host;
    EXPECT_TRUE(a->ip_literal) << host;
  }
  for (const char* name : {"0x7f.example", "example.com", "1.2.3.4.example", "x0x7f"}) {
    auto a = parse_authority(std::string(name) + ":443", std::nullopt);
    ASSERT_TRUE(a) << name;
    EXPECT_FALSE(a->ip_literal) << name;
  }
}
