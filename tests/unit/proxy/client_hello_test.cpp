#include "netmap/proxy/client_hello.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace netmap::proxy;

namespace {

void u16(std::vector<std::uint8_t>& v, std::size_t x) {
  v.push_back(static_cast<std::uint8_t>(x >> 8));
  v.push_back(static_cast<std::uint8_t>(x));
}

// A ClientHello record as a TLS 1.3 client would send it, with an SNI extension (and optionally ECH).
std::vector<std::uint8_t> hello(const std::string& sni, bool ech = false) {
  std::vector<std::uint8_t> ext;
  if (!sni.empty()) {
    u16(ext, 0);
    u16(ext, sni.size() + 5);
    u16(ext, sni.size() + 3);
    ext.push_back(0);
    u16(ext, sni.size());
    ext.insert(ext.end(), sni.begin(), sni.end());
  }
  if (ech) {
    u16(ext, 0xfe0d);
    u16(ext, 1);
    ext.push_back(0);
  }
  std::vector<std::uint8_t> body{3, 3};
  body.insert(body.end(), 32, 7); // random
  body.push_back(0);              // session id
  u16(body, 2);
  body.push_back(0x13);
  body.push_back(0x01);
  body.push_back(1);
  body.push_back(0);
  u16(body, ext.size());
  body.insert(body.end(), ext.begin(), ext.end());
  std::vector<std::uint8_t> hs{1, 0, static_cast<std::uint8_t>(body.size() >> 8), static_cast<std::uint8_t>(body.size())};
  hs.insert(hs.end(), body.begin(), body.end());
  std::vector<std::uint8_t> rec{22, 3, 1};
  u16(rec, hs.size());
  rec.insert(rec.end(), hs.begin(), hs.end());
  return rec;
}

} // namespace

TEST(ClientHello, ReadsServerName) {
  auto h = hello("api.example.com");
  auto info = read_client_hello(h);
  ASSERT_EQ(info.status, HelloStatus::Ok);
  EXPECT_TRUE(info.has_server_name);
  EXPECT_EQ(info.server_name, "api.example.com");
  EXPECT_FALSE(info.ech);
  EXPECT_TRUE(read_client_hello(hello("x.test", true)).ech);
  auto none = read_client_hello(hello(""));
  EXPECT_EQ(none.status, HelloStatus::Ok);
  EXPECT_FALSE(none.has_server_name);
}

TEST(ClientHello, NeedsMoreWhenTruncated) {
  auto h = hello("api.example.com");
  for (std::size_t n = 1; n < h.size(); ++n)
    EXPECT_EQ(read_client_hello(std::span(h).first(n)).status, HelloStatus::NeedMore) << n;
}

TEST(ClientHello, SpansRecords) {
  auto h = hello("split.example.com");
  // Re-frame the handshake into two records of 20 bytes and the rest.
  std::vector<std::uint8_t> hs(h.begin() + 5, h.end());
  std::vector<std::uint8_t> two{22, 3, 1, 0, 20};
  two.insert(two.end(), hs.begin(), hs.begin() + 20);
  two.insert(two.end(), {22, 3, 1});
  u16(two, hs.size() - 20);
  two.insert(two.end(), hs.begin() + 20, hs.end());
  auto info = read_client_hello(two);
  ASSERT_EQ(info.status, HelloStatus::Ok);
  EXPECT_EQ(info.server_name, "split.example.com");
}

TEST(ClientHello, RejectsOtherBytes) {
  std::string get = "GET / HTTP/1.1\r\n\r\n";
  EXPECT_EQ(read_client_hello({reinterpret_cast<const std::uint8_t*>(get.data()), get.size()}).status, HelloStatus::NotTls);
  auto h = hello("a.test");
  h[5] = 2; // ServerHello, not ClientHello: no server name to report, and no waiting for more
  auto st = read_client_hello(h).status;
  EXPECT_TRUE(st == HelloStatus::NotTls || st == HelloStatus::Malformed);
  auto lying = hello("a.test");
  lying[lying.size() - 7] = 0xff; // SNI name length larger than its extension
  EXPECT_EQ(read_client_hello(lying).status, HelloStatus::Malformed);
}
