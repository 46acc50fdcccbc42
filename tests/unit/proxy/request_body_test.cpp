#include "netmap/proxy/request_body.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace netmap::proxy;
using namespace std::string_literals;
using Status = BodyFramer::Status;

namespace {

std::size_t feed(BodyFramer& f, const std::string& s) {
  return f.feed({reinterpret_cast<const std::uint8_t*>(s.data()), s.size()});
}

// Feeds `s` one byte at a time (how a slow client delivers it); returns the bytes taken.
std::size_t feed_bytewise(BodyFramer& f, const std::string& s) {
  std::size_t taken = 0;
  for (char c : s) {
    taken += feed(f, std::string(1, c));
    if (f.status() != Status::More) break;
  }
  return taken;
}

} // namespace

TEST(BodyFramer, FixedLengthStopsAtItsEnd) {
  auto f = BodyFramer::fixed(5);
  EXPECT_EQ(feed(f, "he"), 2u);
  EXPECT_EQ(f.status(), Status::More);
  EXPECT_EQ(feed(f, "lloGET http://evil.test/ HTTP/1.1\r\n\r\n"), 3u);
  EXPECT_EQ(f.status(), Status::Done);
  EXPECT_EQ(feed(f, "more"), 0u);
}

TEST(BodyFramer, NoBodyIsDoneAtOnce) {
  // RFC 9112 §6.3 item 7: a request with neither Content-Length nor Transfer-Encoding has none.
  auto f = BodyFramer::fixed(0);
  EXPECT_EQ(f.status(), Status::Done);
  EXPECT_EQ(feed(f, "GET http://evil.test/ HTTP/1.1\r\n\r\n"), 0u);
}

TEST(BodyFramer, ChunkedBodyEndsAfterTheTrailerSection) {
  const std::string body = "4\r\nwiki\r\n5;name=\"v al\"\r\npedia\r\nA \t;x\r\n0123456789\r\n0\r\nX-Sum: 1\r\n\r\n";
  for (bool bytewise : {false, true}) {
    auto f = BodyFramer::chunked();
    std::string stream = body + "GET http://evil.test/ HTTP/1.1\r\n\r\n";
    EXPECT_EQ(bytewise ? feed_bytewise(f, stream) : feed(f, stream), body.size());
    EXPECT_EQ(f.status(), Status::Done);
  }
}

TEST(BodyFramer, LastChunkWithoutTrailers) {
  auto f = BodyFramer::chunked();
  EXPECT_EQ(feed(f, "000\r\n\r\nX"), 7u);
  EXPECT_EQ(f.status(), Status::Done);
}

TEST(BodyFramer, RefusesMalformedChunking) {
  for (const std::string& bad : {
           "\r\n"s,                     // no size
           "x\r\n"s,                    // not hex
           "-1\r\n"s,                   // sign
           "+1\r\nA\r\n"s,              // sign
           "1\nA\r\n"s,                 // bare LF after the size
           "1\r\nAB\r\n"s,              // more data than the size says
           "1\r\nA\n0\r\n\r\n"s,        // bare LF after the data
           "1 x\r\n"s,                  // junk after BWS instead of ';'
           "1 \r\n"s,                   // BWS with no extension
           "1;a\0b\r\n"s,               // NUL in an extension
           "1;a\nb\r\n"s,               // bare LF in an extension
           "1000000000000000\r\n"s,     // 16 hex digits: could overflow
           "0\r\n trailer\r\n\r\n"s,    // obs-fold in the trailers
           "0\r\nX: a\nb\r\n\r\n"s,     // bare LF in a trailer
           "0\r\n\rX"s,                 // CR without LF at the end
       }) {
    auto f = BodyFramer::chunked();
    (void)feed(f, bad);
    EXPECT_EQ(f.status(), Status::Error) << bad;
  }
}

TEST(BodyFramer, BoundsSizeAndTrailerLines) {
  auto f = BodyFramer::chunked();
  (void)feed(f, "1;" + std::string(5000, 'a'));
  EXPECT_EQ(f.status(), Status::Error);
  auto g = BodyFramer::chunked();
  (void)feed(g, "0\r\nX: " + std::string(5000, 'a'));
  EXPECT_EQ(g.status(), Status::Error);
}

TEST(BodyFramer, LargeChunkPassesInBulk) {
  auto f = BodyFramer::chunked();
  EXPECT_EQ(feed(f, "fffffffffffffff\r\n"), 17u);
  EXPECT_EQ(feed(f, std::string(100000, 'z')), 100000u);
  EXPECT_EQ(f.status(), Status::More);
}
