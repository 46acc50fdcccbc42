#include "netmap/proxy/no_proxy.hpp"
#include "netmap/proxy/upstream.hpp"

#include <gtest/gtest.h>

using namespace netmap::proxy;

TEST(NoProxy, CurlSemantics) {
  auto np = NoProxy::parse("example.com, .internal.test,10.0.0.0/8, 192.168.1.5 ,host.test:8080,[fd00::1]");
  EXPECT_TRUE(np.bypass("example.com"));
  EXPECT_TRUE(np.bypass("api.example.com"));      // subdomains on a label boundary
  EXPECT_FALSE(np.bypass("ample.com"));
  EXPECT_FALSE(np.bypass("notexample.com"));      // not a label boundary
  EXPECT_TRUE(np.bypass("internal.test"));        // leading dot ignored (curl)
  EXPECT_TRUE(np.bypass("a.internal.test"));
  EXPECT_TRUE(np.bypass("10.1.2.3"));             // CIDR
  EXPECT_FALSE(np.bypass("11.1.2.3"));
  EXPECT_TRUE(np.bypass("192.168.1.5"));
  EXPECT_FALSE(np.bypass("192.168.1.6"));
  EXPECT_TRUE(np.bypass("host.test"));            // entry port ignored
  EXPECT_TRUE(np.bypass("host.test:443"));        // host port ignored
  EXPECT_TRUE(np.bypass("fd00::1"));
  EXPECT_TRUE(np.bypass("[fd00::1]:443"));
  EXPECT_TRUE(np.bypass("EXAMPLE.COM."));         // case, trailing dot
}

TEST(NoProxy, LoopbackAlwaysDirectAndStar) {
  auto none = NoProxy::parse("");
  EXPECT_TRUE(none.bypass("localhost"));
  EXPECT_TRUE(none.bypass("x.localhost"));
  EXPECT_TRUE(none.bypass("127.0.0.1"));
  EXPECT_TRUE(none.bypass("127.9.9.9"));
  EXPECT_TRUE(none.bypass("::1"));
  EXPECT_FALSE(none.bypass("example.com"));
  EXPECT_TRUE(NoProxy::parse("*").bypass("anything.test"));
  EXPECT_FALSE(NoProxy::parse("*.example.com").bypass("other.com"));
  EXPECT_TRUE(NoProxy::parse("*.example.com").bypass("a.example.com"));
}

TEST(NoProxy, CidrAndAddressEntriesMatchAddresses) {
  auto np = NoProxy::parse("fd00::/8, 10.0.0.0/8, 192.168.1.5, 10.0.0.0/33, 10.0.0.0/, example.com/8");
  EXPECT_TRUE(np.bypass("fd12::1"));
  EXPECT_TRUE(np.bypass("[fd12::1]:443"));
  EXPECT_FALSE(np.bypass("fe80::1"));
  EXPECT_TRUE(np.bypass("10.200.0.1"));
  EXPECT_TRUE(np.bypass("::ffff:10.0.0.1")) << "an IPv4-mapped address is the IPv4 address";
  EXPECT_FALSE(np.bypass("11.0.0.1"));
  EXPECT_TRUE(np.bypass("192.168.1.5:8080"));
  EXPECT_FALSE(np.bypass("192.168.1.6"));
  EXPECT_FALSE(np.bypass("example.com")) << "a malformed CIDR entry is ignored, not read as a name";
  auto any4 = NoProxy::parse("0.0.0.0/0");
  EXPECT_TRUE(any4.bypass("8.8.8.8"));
  EXPECT_FALSE(any4.bypass("2001:db8::2")); // an IPv4 /0 covers IPv4 only
}

TEST(Upstream, ParsesUrlsWithCredentials) {
  auto p = parse_proxy_url("http://us%40er:p%3Ass@proxy.internal:3128/");
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->host, "proxy.internal");
  EXPECT_EQ(p->port, 3128);
  EXPECT_EQ(p->authorization, "Basic dXNAZXI6cDpzcw=="); // base64("us@er:p:ss")
  EXPECT_EQ(p->url, "http://proxy.internal:3128");
  auto bare = parse_proxy_url("proxy:8080");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->port, 8080);
  EXPECT_TRUE(bare->authorization.empty());
  auto v6 = parse_proxy_url("http://[::1]:3128");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_FALSE(parse_proxy_url("https://proxy:443"));
  EXPECT_FALSE(parse_proxy_url("socks5://proxy:1080"));
  EXPECT_FALSE(parse_proxy_url("http://proxy:0"));
  EXPECT_FALSE(parse_proxy_url("http://proxy:3128/path"));
  EXPECT_FALSE(parse_proxy_url("http://:3128"));
}

TEST(Upstream, SettingsFromEnvironment) {
  std::map<std::string, std::string> env{{"HTTPS_PROXY", "http://up:1"}, {"http_proxy", "http://low:2"},
                                         {"HTTP_PROXY", "http://up:3"}, {"NO_PROXY", "skip.test"}};
  auto s = make_upstream_settings("", "", "", env, "test");
  ASSERT_TRUE(s.https);
  EXPECT_EQ(s.https->port, 1);
  ASSERT_TRUE(s.http);
  EXPECT_EQ(s.http->port, 2); // lowercase wins, as curl reads it
  EXPECT_EQ(s.pick("a.skip.test", true), nullptr);
  EXPECT_EQ(s.pick("localhost", true), nullptr);
  ASSERT_NE(s.pick("other.test", true), nullptr);
  auto explicit_ = make_upstream_settings("http://p:9", "", "*", env, "test");
  EXPECT_EQ(explicit_.http->port, 9);
  EXPECT_EQ(explicit_.pick("other.test", false), nullptr);
  EXPECT_THROW((void)make_upstream_settings("ftp://x", "", "", {}, "test"), netmap::base::UserError);
  auto none = make_upstream_settings("", "", "", {}, "test");
  EXPECT_TRUE(none.empty());
}
