#include "netmap/policy/domain_name.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using netmap::policy::DomainName;
using netmap::policy::is_canonical_host;
using netmap::policy::is_ip_literal;

namespace {
std::string norm(std::string_view s) {
  auto d = DomainName::parse(s);
  return d ? d->str() : "ERR: " + d.error();
}
} // namespace

TEST(DomainName, NormalizesCaseAndTrailingDot) {
  EXPECT_EQ(norm("WWW.Example.COM."), "www.example.com");
  EXPECT_EQ(norm("example.com"), "example.com");
}

TEST(DomainName, ConvertsUnicodeToALabels) {
  EXPECT_EQ(norm("bücher.example"), "xn--bcher-kva.example");
  EXPECT_EQ(norm("XN--BCHER-KVA.example"), "xn--bcher-kva.example");
  EXPECT_EQ(norm("ÉCOLE.fr"), "xn--cole-9oa.fr");
}

TEST(DomainName, RejectsEmptyLabels) {
  EXPECT_FALSE(DomainName::parse("a..b.com"));
  EXPECT_FALSE(DomainName::parse(".example.com"));
  EXPECT_FALSE(DomainName::parse(""));
  EXPECT_FALSE(DomainName::parse("."));
  EXPECT_FALSE(DomainName::parse("example.com.."));
}

TEST(DomainName, EnforcesRfc1035Lengths) {
  std::string l63(63, 'a'), l64(64, 'a');
  EXPECT_TRUE(DomainName::parse(l63 + ".com"));
  auto r = DomainName::parse(l64 + ".com");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("63"), std::string::npos);
  // 253 bytes is the longest name; 254 is one too many.
  std::string n253 = std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(63, 'c') + "." + std::string(61, 'd');
  ASSERT_EQ(n253.size(), 253u);
  EXPECT_TRUE(DomainName::parse(n253));
  EXPECT_TRUE(DomainName::parse(n253 + ".")) << "a trailing dot does not count";
  std::string n254 = n253.substr(0, 252) + "dd";
  n254 = std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(63, 'c') + "." + std::string(62, 'd');
  ASSERT_EQ(n254.size(), 254u);
  EXPECT_FALSE(DomainName::parse(n254));
}

TEST(DomainName, RejectsBadCharactersAndIps) {
  EXPECT_FALSE(DomainName::parse("exa mple.com"));
  EXPECT_FALSE(DomainName::parse("exa!mple.com"));
  EXPECT_FALSE(DomainName::parse("*.example.com"));
  EXPECT_FALSE(DomainName::parse("-bad.example.com"));
  EXPECT_FALSE(DomainName::parse("10.0.0.1"));
  EXPECT_FALSE(DomainName::parse("::1"));
  EXPECT_FALSE(DomainName::parse("[2001:db8::1]"));
  EXPECT_FALSE(DomainName::parse("example.123"));
  EXPECT_FALSE(DomainName::parse(std::string_view("a\0b.com", 7)));
  EXPECT_TRUE(DomainName::parse("_dmarc.example.com"));
}

// getaddrinfo reads the first six as 127.0.0.1 (inet_aton's spellings). A name whose last label
// is such a number is an address, or nothing: no top-level domain is one.
TEST(DomainName, RejectsIpv4InOtherSpellings) {
  for (const char* s : {"0x7f.0x1", "0x7f000001", "0X7F.0X1.", "127.1", "2130706433", "0177.0.0.1", "a.0xff"}) {
    EXPECT_FALSE(DomainName::parse(s)) << s;
    EXPECT_FALSE(is_canonical_host(s)) << s;
  }
  for (const char* s : {"0x.example", "a.0x", "a.0xg", "face.example", "a.deadbeef"}) EXPECT_TRUE(DomainName::parse(s)) << s;
}

TEST(DomainName, IpLiterals) {
  EXPECT_TRUE(is_ip_literal("127.0.0.1"));
  EXPECT_TRUE(is_ip_literal("[::1]"));
  EXPECT_FALSE(is_ip_literal("1.2.3"));
  EXPECT_FALSE(is_ip_literal("example.com"));
}

TEST(DomainName, Relations) {
  auto a = DomainName::parse("a.example.com").value();
  auto e = DomainName::parse("example.com").value();
  auto x = DomainName::parse("xample.com").value();
  EXPECT_TRUE(a.is_within(e));
  EXPECT_TRUE(a.is_strictly_below(e));
  EXPECT_TRUE(e.is_within(e));
  EXPECT_FALSE(e.is_strictly_below(e));
  EXPECT_FALSE(e.is_within(x)) << "suffix match must respect label boundaries";
  EXPECT_EQ(a.label_count(), 3u);
  EXPECT_EQ(a.parent()->str(), "example.com");
}

// An "xn--" label must be Punycode that IDNA2008 accepts and that encodes back to itself; anything
// else is no name a resolver or proxy will agree on (audit N1).
TEST(DomainName, RejectsInvalidALabels) {
  for (const char* bad : {"xn--zz.example", "a.xn--zz.example", "XN--ZZ.example", "xn--ls8h.example"}) {
    auto r = DomainName::parse(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().find("not a valid A-label"), std::string::npos) << r.error();
  }
  EXPECT_EQ(DomainName::parse("xn--bcher-kva.example")->str(), "xn--bcher-kva.example");
  EXPECT_EQ(DomainName::parse("XN--BCHER-KVA.Example")->str(), "xn--bcher-kva.example");
  EXPECT_FALSE(is_canonical_host("xn--zz.example"));
  EXPECT_TRUE(is_canonical_host("xn--bcher-kva.example"));
}

// is_canonical_host is the matcher's shortcut past parse(): it must never say yes where parse()
// would reject the text or change it, or the shortcut would decide a different name.
TEST(DomainName, CanonicalHostAgreesWithParse) {
  const std::vector<std::string> fixed = {
      "example.com", "a.b", "_dmarc.example.com", "x-y.example", "1.2.3.4", "1.example", "example.123",
      "-a.example", "a-.example", "a..b", ".a", "a.", "Example.com", "", "*.example.com", "a b.c",
      std::string(63, 'a') + ".com", std::string(64, 'a') + ".com", "xn--bcher-kva.example", "[::1]", "::1",
      "xn--zz.example", "a.xn--zz", "xn--.example", "xn--bcher-kva.xn--strae-oqa", "0x7f.0x1", "a.0x",
      "a.0x1f", "a.0X", "0x"};
  for (const auto& s : fixed) {
    auto parsed = DomainName::parse(s);
    bool same = parsed && parsed->str() == s;
    EXPECT_EQ(is_canonical_host(s), same) << "'" << s << "'";
  }
  // Random strings over the characters that matter, and lengths around the 253-byte limit.
  const std::string alphabet = "ab0-._A*x";
  std::uint32_t seed = 12345;
  auto next = [&seed] { return seed = seed * 1664525u + 1013904223u; };
  for (int i = 0; i < 20000; ++i) {
    std::string s(next() % 12, ' ');
    for (auto& c : s) c = alphabet[next() % alphabet.size()];
    auto parsed = DomainName::parse(s);
    ASSERT_EQ(is_canonical_host(s), parsed && parsed->str() == s) << "'" << s << "'";
  }
  for (std::size_t n : {251u, 252u, 253u, 254u, 255u}) {
    std::string s;
    while (s.size() < n) s += s.empty() ? "a" : ".a";
    s.resize(n);
    if (s.back() == '.') s.back() = 'b';
    auto parsed = DomainName::parse(s);
    EXPECT_EQ(is_canonical_host(s), parsed && parsed->str() == s) << n;
  }
}
