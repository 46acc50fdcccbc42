#include "netmap/base/sock_addr.hpp"

#include "netmap/base/error.hpp"

#include <gtest/gtest.h>

using namespace netmap::base;

namespace {

const sockaddr* raw(const SockAddr& a) { return reinterpret_cast<const sockaddr*>(&a.ss); }

} // namespace

TEST(SockAddr, ParsesWhatUsersWrite) {
  auto a = parse_sockaddr("127.0.0.1:5300", 53);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->str(), "127.0.0.1:5300");
  EXPECT_EQ(a->host(), "127.0.0.1");
  EXPECT_EQ(a->port(), 5300);
  EXPECT_EQ(parse_sockaddr("127.0.0.2", 53)->port(), 53) << "the default port";
  EXPECT_EQ(parse_sockaddr("[::1]:853", 53)->str(), "[::1]:853");
  EXPECT_EQ(parse_sockaddr("[::1]", 53)->str(), "[::1]:53");
  EXPECT_FALSE(parse_sockaddr("localhost:53", 53)) << "numeric only";
  EXPECT_FALSE(parse_sockaddr("127.0.0.1:65536", 53));
  EXPECT_FALSE(parse_sockaddr("127.0.0.1:", 53));
  EXPECT_FALSE(parse_sockaddr("", 53));
}

TEST(SockAddr, RequireNamesTheFlagAndTakesLocalhost) {
  EXPECT_EQ(require_sockaddr("localhost:8080", 3128, "--listen").str(), "127.0.0.1:8080");
  EXPECT_EQ(require_sockaddr("localhost", 3128, "--listen").str(), "127.0.0.1:3128");
  EXPECT_EQ(require_sockaddr("[::1]", 3128, "--listen").str(), "[::1]:3128") << "a bracketed address alone";
  try {
    (void)require_sockaddr("[::1", 3128, "--listen");
    FAIL() << "an unclosed bracket must be refused";
  } catch (const UserError& e) {
    EXPECT_EQ(e.message(), "--listen '[::1' is not ADDR, ADDR:PORT or [V6]:PORT");
    EXPECT_EQ(e.hint(), "numeric addresses, e.g. 127.0.0.1:3128 or [::1]:3128");
  }
  EXPECT_THROW((void)require_sockaddr("localhost.example:53", 53, "--upstream"), UserError) << "only the exact name";
  EXPECT_THROW((void)require_sockaddr("127.0.0.1:99999", 53, "--upstream"), UserError);
}

TEST(SockAddr, ADestinationNeedsAPort) {
  EXPECT_EQ(require_destination("127.0.0.1", 53, "--upstream").str(), "127.0.0.1:53");
  EXPECT_EQ(require_sockaddr("127.0.0.1:0", 53, "--listen").port(), 0) << "a listener may take any port";
  try {
    (void)require_destination("127.0.0.1:0", 53, "--upstream");
    FAIL() << "port 0 must be refused for a destination";
  } catch (const UserError& e) {
    EXPECT_EQ(e.message(), "--upstream '127.0.0.1:0' has port 0, which nothing can be sent to");
    EXPECT_EQ(e.hint(), "leave the port out for 53, or give the one it listens on");
  }
}

TEST(SockAddr, IpLiteralsWithAPort) {
  EXPECT_EQ(sockaddr_of("10.1.2.3", 443)->str(), "10.1.2.3:443");
  EXPECT_EQ(sockaddr_of("::1", 443)->str(), "[::1]:443");
  EXPECT_EQ(sockaddr_of("[2001:db8::1]", 80)->host(), "2001:db8::1");
  EXPECT_FALSE(sockaddr_of("example.com", 80));
  EXPECT_FALSE(sockaddr_of("1.2.3", 80));
  EXPECT_FALSE(sockaddr_of("[]", 80));
}

TEST(SockAddr, LoopbackEndpointsAndBlocks) {
  EXPECT_TRUE(is_loopback(raw(*sockaddr_of("127.9.9.9", 1))));
  EXPECT_TRUE(is_loopback(raw(*sockaddr_of("::1", 1))));
  EXPECT_TRUE(is_loopback(raw(*sockaddr_of("::ffff:127.0.0.1", 1))));
  EXPECT_FALSE(is_loopback(raw(*sockaddr_of("10.0.0.1", 1))));
  EXPECT_TRUE(same_endpoint(*sockaddr_of("127.0.0.1", 53), *parse_sockaddr("127.0.0.1", 53)));
  EXPECT_FALSE(same_endpoint(*sockaddr_of("127.0.0.1", 53), *sockaddr_of("127.0.0.1", 54)));
  EXPECT_EQ(address_hash(raw(*sockaddr_of("10.0.0.1", 1))), address_hash(raw(*sockaddr_of("10.0.0.1", 2))))
      << "the port is no part of a client's identity";
  auto net = parse_cidr("10.0.0.0/8");
  ASSERT_TRUE(net);
  EXPECT_TRUE(net->contains(raw(*sockaddr_of("10.200.0.1", 1))));
  EXPECT_TRUE(net->contains(raw(*sockaddr_of("::ffff:10.0.0.1", 1)))) << "IPv4-mapped counts as IPv4";
  EXPECT_FALSE(net->contains(raw(*sockaddr_of("11.0.0.1", 1))));
  EXPECT_FALSE(parse_cidr("10.0.0.0/33"));
}
