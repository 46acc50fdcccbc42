#include "netmap/dns/cache.hpp"
#include "netmap/dns/response.hpp"
#include "netmap/dns/wire.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

using namespace netmap::dns;

namespace {

// "www.example.com A": CNAME to cdn.other.net (compressed), A 192.0.2.7, and an OPT at the end.
std::vector<std::uint8_t> answer_with_cname() {
  std::vector<std::uint8_t> m = {0x12, 0x34, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 1};
  const std::uint8_t qname[] = {3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0};
  m.insert(m.end(), std::begin(qname), std::end(qname));
  m.insert(m.end(), {0, 1, 0, 1});
  // CNAME RR: owner pointer to 12, TTL 300
  m.insert(m.end(), {0xC0, 12, 0, 5, 0, 1, 0, 0, 1, 0x2C, 0, 15});
  std::size_t target = m.size();
  m.insert(m.end(), {3, 'c', 'd', 'n', 5, 'o', 't', 'h', 'e', 'r', 3, 'n', 'e', 't', 0});
  // A RR: owner pointer to the CNAME target, TTL 60
  m.insert(m.end(), {0xC0, static_cast<std::uint8_t>(target), 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 7});
  m.insert(m.end(), {0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0});
  return m;
}

std::vector<std::uint8_t> question_of(const std::vector<std::uint8_t>& m) {
  return {m.begin() + 12, m.begin() + 12 + 17 + 4};
}

} // namespace

TEST(DnsResponse, FindsAliasTargetsTtlsAndDropsTrailingOpt) {
  auto m = answer_with_cname();
  ResponseError err;
  auto info = read_response(m, question_of(m), err);
  ASSERT_TRUE(info);
  EXPECT_EQ(err, ResponseError::None);
  EXPECT_EQ(info->alias_targets, std::vector<std::string>{"cdn.other.net"});
  EXPECT_EQ(info->addresses, std::vector<std::string>{"192.0.2.7"});
  EXPECT_EQ(info->min_ttl, 60u);
  EXPECT_EQ(info->ttl_offsets.size(), 2u);
  EXPECT_EQ(info->body_end, m.size() - 11);
  EXPECT_EQ(info->arcount_without_opt, 0);
  EXPECT_TRUE(ldns_accepts(m));
}

TEST(DnsResponse, QuestionMismatchIsRejectedCaseInsensitively) {
  auto m = answer_with_cname();
  auto q = question_of(m);
  q[1] = 'W'; // 0x20 case difference is the same question
  ResponseError err;
  EXPECT_TRUE(read_response(m, q, err));
  q[2] = 'x';
  EXPECT_FALSE(read_response(m, q, err));
  EXPECT_EQ(err, ResponseError::Mismatch);
}

TEST(DnsResponse, TruncatedMessagesAreMalformed) {
  auto m = answer_with_cname();
  auto q = question_of(m);
  for (std::size_t cut = 12; cut < m.size() - 11; ++cut) {
    std::vector<std::uint8_t> part(m.begin(), m.begin() + static_cast<long>(cut));
    ResponseError err;
    EXPECT_FALSE(read_response(part, q, err)) << cut;
  }
}

TEST(DnsResponse, PointerLoopsAndForwardPointersAreRefused) {
  std::vector<std::uint8_t> m = {0xC0, 2, 0xC0, 0};
  EXPECT_FALSE(decode_name(m, 0));
  EXPECT_FALSE(decode_name(m, 2));
}

TEST(DnsCache, ServesWithClientIdCaseAndAgedTtls) {
  auto m = answer_with_cname();
  ResponseError err;
  auto info = read_response(m, question_of(m), err);
  ASSERT_TRUE(info);
  Cache cache(100);
  std::array<char, 264> kb;
  auto key = cache_key(std::span(m).subspan(12, 17), 1, 1, false, false, kb);
  auto e = cache.store(key, m, *info, 1'000'000'000);
  ASSERT_TRUE(cache.find(key, 2'000'000'000));
  EXPECT_FALSE(cache.find(key, 1'000'000'000 + 61'000'000'000)); // past the smallest TTL
  // The client asked WWW.example.com with id 0x5555 and no EDNS.
  std::vector<std::uint8_t> query(m.begin(), m.begin() + 12 + 21);
  query[0] = 0x55;
  query[1] = 0x55;
  query[2] = 0x01;
  query[3] = 0x00;
  query[13] = 'W';
  std::uint8_t out[1024];
  std::size_t len = write_from_cache(out, *e, query, 33, 0x0100, false, false, 1'000'000'000 + 10'000'000'000);
  ASSERT_EQ(len, m.size() - 11);
  EXPECT_EQ(load16(out), 0x5555);
  EXPECT_EQ(out[13], 'W');
  EXPECT_EQ(load16(out + 10), 0); // no OPT for a client without EDNS
  // TTLs aged by 10 s (the CNAME capped at the entry's 60 s first).
  EXPECT_EQ(out[info->ttl_offsets[0] + 3], 50);
  EXPECT_EQ(out[info->ttl_offsets[1] + 3], 50);
}

TEST(DnsCache, NegativeAnswersNeedAnSoa) {
  std::vector<std::uint8_t> m = {0, 1, 0x81, 0x83, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'x', 0, 0, 1, 0, 1};
  ResponseError err;
  std::vector<std::uint8_t> q(m.begin() + 12, m.end());
  auto info = read_response(m, q, err);
  ASSERT_TRUE(info);
  Cache cache(10);
  std::array<char, 264> kb;
  auto key = cache_key(std::span(m).subspan(12, 3), 1, 1, false, false, kb);
  cache.store(key, m, *info, 1);
  EXPECT_EQ(cache.size(), 0u); // RFC 2308 §5: no SOA, no negative caching
}

namespace {

// A hostile upstream's answer to "www.example.com A" (id 0x1234), built RR by RR.
struct Msg {
  std::vector<std::uint8_t> m;
  Msg() {
    static constexpr std::uint8_t k_head[] = {0x12, 0x34, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'w', 'w', 'w', 7, 'e',
                                              'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1};
    m.assign(std::begin(k_head), std::end(k_head));
  }
  // Appends one answer RR: owner and rdata as raw wire bytes.
  Msg& rr(std::vector<std::uint8_t> owner, std::uint16_t type, std::uint32_t ttl, std::vector<std::uint8_t> rdata) {
    m.insert(m.end(), owner.begin(), owner.end());
    m.insert(m.end(), {static_cast<std::uint8_t>(type >> 8), static_cast<std::uint8_t>(type), 0, 1,
                       static_cast<std::uint8_t>(ttl >> 24), static_cast<std::uint8_t>(ttl >> 16),
                       static_cast<std::uint8_t>(ttl >> 8), static_cast<std::uint8_t>(ttl),
                       static_cast<std::uint8_t>(rdata.size() >> 8), static_cast<std::uint8_t>(rdata.size())});
    m.insert(m.end(), rdata.begin(), rdata.end());
    store16(m.data() + 6, static_cast<std::uint16_t>(load16(m.data() + 6) + 1));
    return *this;
  }
};

const std::vector<std::uint8_t> k_qname_ptr = {0xC0, 12};
const std::vector<std::uint8_t> k_evil = {4, 'e', 'v', 'i', 'l', 7, 'b', 'l', 'o', 'c', 'k', 'e', 'd', 4, 't', 'e', 's', 't', 0};
const std::vector<std::uint8_t> k_addr = {192, 0, 2, 1};

std::optional<ResponseInfo> read(const Msg& msg, ResponseError& err) {
  std::vector<std::uint8_t> q(msg.m.begin() + 12, msg.m.begin() + 33);
  return read_response(msg.m, q, err);
}

} // namespace

TEST(DnsResponse, AnAliasTargetThatCannotBeDecodedIsMalformed) {
  // The CNAME's target is a forward pointer to the next RR's owner, evil.blocked.test: ldns (and
  // the stubs a client runs) follow it, so a target we could not read would skip the policy.
  Msg msg;
  std::size_t next_owner = msg.m.size() + 12 + 2;
  msg.rr(k_qname_ptr, 5, 300, {static_cast<std::uint8_t>(0xC0 | (next_owner >> 8)), static_cast<std::uint8_t>(next_owner)})
      .rr(k_evil, 1, 300, k_addr);
  ASSERT_TRUE(ldns_accepts(msg.m));
  ResponseError err;
  EXPECT_FALSE(read(msg, err));
  EXPECT_EQ(err, ResponseError::Malformed);
  // The same for an HTTPS/SVCB target.
  Msg https;
  https.rr(k_qname_ptr, 65, 300, {0, 0, 0xC0, 0x30});
  EXPECT_FALSE(read(https, err));
  EXPECT_EQ(err, ResponseError::Malformed);
}

TEST(DnsResponse, OnlyTheNameComparesCaseInsensitively) {
  // RFC 4343 folds case in names only: type 0x0041 (HTTPS) is not type 0x0061, nor class 0x0041 0x0061.
  Msg msg;
  msg.rr(k_qname_ptr, 1, 300, k_addr);
  std::vector<std::uint8_t> q(msg.m.begin() + 12, msg.m.begin() + 33);
  q[18] = 0x41; // the question asked type 65
  msg.m[12 + 18] = 0x61; // the answer is for type 97
  ResponseError err;
  EXPECT_FALSE(read_response(msg.m, q, err));
  EXPECT_EQ(err, ResponseError::Mismatch);
  msg.m[12 + 18] = 0x41;
  EXPECT_TRUE(read_response(msg.m, q, err));
}

TEST(DnsResponse, AnAnswerWithAnotherOpcodeIsRefused) {
  // RFC 1035 §4.1.1: the response carries the query's opcode; ours is always QUERY.
  Msg msg;
  msg.rr(k_qname_ptr, 1, 300, k_addr);
  msg.m[2] |= 5 << 3; // UPDATE
  ResponseError err;
  EXPECT_FALSE(read(msg, err));
}

TEST(DnsResponse, ATtlWithTheTopBitSetCountsAsZero) {
  // RFC 2181 §8: such a TTL is read as 0, so the answer is passed on but never cached.
  Msg msg;
  msg.rr(k_qname_ptr, 1, 0x80000000u, k_addr);
  ResponseError err;
  auto info = read(msg, err);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->min_ttl, 0u);
  Cache cache(10);
  std::array<char, 264> kb;
  auto key = cache_key(std::span(msg.m).subspan(12, 17), 1, 1, false, false, kb);
  auto e = cache.store(key, msg.m, *info, 1);
  EXPECT_EQ(cache.size(), 0u);
  std::uint8_t out[512];
  ASSERT_NE(write_from_cache(out, *e, msg.m, 33, 0x0100, false, false, 1), 0u);
  EXPECT_EQ(out[info->ttl_offsets[0]], 0); // served with TTL 0, not 2^31
}

namespace {
// "<label>.test" in wire form.
std::vector<std::uint8_t> test_name(const std::string& label) {
  std::string wire = static_cast<char>(label.size()) + label + std::string("\4test\0", 6);
  return {wire.begin(), wire.end()};
}
// www.example.com CNAME c0.test, c0.test CNAME c1.test, … c<n-1>.test A 192.0.2.1.
Msg chain_of(int n) {
  Msg msg;
  std::vector<std::uint8_t> owner = k_qname_ptr;
  for (int i = 0; i < n; ++i) {
    auto target = test_name("c" + std::to_string(i));
    msg.rr(owner, 5, 300, target);
    owner = target;
  }
  msg.rr(owner, 1, 300, k_addr);
  return msg;
}
} // namespace

TEST(DnsResponse, AliasLoopsAndOverlongChainsAreMalformed) {
  ResponseError err;
  auto ok = chain_of(16);
  auto info = read(ok, err);
  ASSERT_TRUE(info) << "16 aliases (systemd-resolved's CNAME_REDIRECT_MAX) still resolve";
  EXPECT_EQ(info->alias_targets.size(), 16u);
  EXPECT_FALSE(read(chain_of(17), err));
  EXPECT_EQ(err, ResponseError::Malformed);
  // www.example.com CNAME la.test, la.test CNAME lb.test, lb.test CNAME la.test.
  Msg loop;
  loop.rr(k_qname_ptr, 5, 300, test_name("la")).rr(test_name("la"), 5, 300, test_name("lb")).rr(test_name("lb"), 5, 300, test_name("la"));
  EXPECT_FALSE(read(loop, err));
  EXPECT_EQ(err, ResponseError::Malformed);
  // RFC 2181 §10.1: one name, one CNAME.
  Msg fork;
  fork.rr(k_qname_ptr, 5, 300, test_name("la")).rr(k_qname_ptr, 5, 300, test_name("lb"));
  EXPECT_FALSE(read(fork, err));
}

TEST(DnsResponse, AnswerRecordsOutsideTheAliasChainAreMalformed) {
  // An A record for evil.blocked.test that no alias of the question leads to: a client's stub
  // (musl takes any A in the answer section) could use it for a name the policy never saw.
  Msg msg;
  msg.rr(k_qname_ptr, 1, 300, k_addr).rr(k_evil, 1, 300, k_addr);
  ResponseError err;
  EXPECT_FALSE(read(msg, err));
  EXPECT_EQ(err, ResponseError::Malformed);
  // A DNAME for an ancestor of the name, with its synthesized CNAME (RFC 6672 §3.4), is in the chain.
  Msg dname;
  std::vector<std::uint8_t> example = {0xC0, 16}; // example.com inside the question
  dname.rr(example, 39, 300, test_name("dn"))
      .rr(k_qname_ptr, 5, 300, {3, 'w', 'w', 'w', 2, 'd', 'n', 4, 't', 'e', 's', 't', 0})
      .rr({3, 'w', 'w', 'w', 2, 'd', 'n', 4, 't', 'e', 's', 't', 0}, 1, 300, k_addr);
  auto info = read(dname, err);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->alias_targets, (std::vector<std::string>{"dn.test", "www.dn.test"}));
}

TEST(DnsResponse, AnOptOutsideTheAdditionalSectionIsMalformed) {
  // RFC 6891 §6.1.1: OPT lives in the additional section only. One posing as the last answer
  // was dropped as if it were the trailing OPT, leaving ANCOUNT 1 over no RR and ARCOUNT 0 - 1.
  Msg msg;
  msg.rr({0}, k_type_opt, 0, {});
  ResponseError err;
  EXPECT_FALSE(read(msg, err));
  EXPECT_EQ(err, ResponseError::Malformed);
}
