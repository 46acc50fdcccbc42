// The resolver's per-query user-space work for a blocked name (parse the query, decide it against
// a 71-rule policy, craft NXDOMAIN + SOA + EDE) and for a cache hit (key, lookup, copy, age TTLs).
// The kernel's UDP path costs about 3 µs per query on this kind of machine (ceiling.c), so this
// part must stay well below 1 µs for 250k queries/s per core.

#include "netmap/dns/cache.hpp"
#include "netmap/dns/response.hpp"
#include "netmap/dns/wire.hpp"
#include "netmap/policy/matcher.hpp"

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

using namespace netmap;

namespace {

std::vector<std::uint8_t> query(const std::string& name, bool edns) {
  std::vector<std::uint8_t> q = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, static_cast<std::uint8_t>(edns)};
  std::size_t start = 0;
  while (start <= name.size()) {
    auto dot = name.find('.', start);
    if (dot == std::string::npos) dot = name.size();
    q.push_back(static_cast<std::uint8_t>(dot - start));
    q.insert(q.end(), name.begin() + static_cast<long>(start), name.begin() + static_cast<long>(dot));
    start = dot + 1;
  }
  q.insert(q.end(), {0, 0, 1, 0, 1});
  if (edns) q.insert(q.end(), {0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0});
  return q;
}

policy::Matcher bench_policy() {
  policy::Matcher m;
  for (int i = 1; i <= 35; ++i) {
    m.add(policy::parse_rule("api.pkg" + std::to_string(i) + ".example").value());
    m.add(policy::parse_rule("**.cdn" + std::to_string(i) + ".example").value());
  }
  return m;
}

void BM_BlockedQuery(benchmark::State& state) {
  auto m = bench_policy();
  std::vector<std::vector<std::uint8_t>> qs;
  for (int i = 0; i < 1024; ++i) qs.push_back(query("u" + std::to_string(i * 7919) + ".exfil" + std::to_string(i % 97) + ".com", true));
  std::uint8_t out[1500];
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& pkt = qs[i++ & 1023];
    dns::Query q;
    if (dns::parse_query(pkt, q) != dns::QueryStatus::Ok) state.SkipWithError("parse");
    auto v = m.decide(q.name_view());
    std::string_view text = v.reachable() ? "" : "netmap: not on the allowlist; to allow it add the rule 'x'";
    benchmark::DoNotOptimize(dns::write_blocked(out, pkt, q, dns::k_nxdomain, text));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_BlockedQuery);

void BM_ParseOnly(benchmark::State& state) {
  auto pkt = query("h3.cdn07.example", true);
  for (auto _ : state) {
    dns::Query q;
    benchmark::DoNotOptimize(dns::parse_query(pkt, q));
  }
}
BENCHMARK(BM_ParseOnly);

void BM_DecideOnly(benchmark::State& state) {
  auto m = bench_policy();
  for (auto _ : state) benchmark::DoNotOptimize(m.decide(std::string_view("h3.cdn07.example")));
}
BENCHMARK(BM_DecideOnly);

void BM_CacheHit(benchmark::State& state) {
  // An upstream answer: h3.cdn07.example A 198.51.100.7, TTL 3600.
  auto msg = query("h3.cdn07.example", false);
  msg[2] = 0x81;
  msg[3] = 0x80;
  msg[7] = 1;
  msg.insert(msg.end(), {0xC0, 12, 0, 1, 0, 1, 0, 0, 0x0E, 0x10, 0, 4, 198, 51, 100, 7});
  std::vector<std::uint8_t> question(msg.begin() + 12, msg.begin() + 12 + 22);
  dns::ResponseError err;
  auto info = dns::read_response(msg, question, err);
  dns::Cache cache(1024);
  std::array<char, 264> kb;
  auto key = dns::cache_key(std::span(msg).subspan(12, 18), 1, 1, false, false, kb);
  cache.store(key, msg, *info, 1);
  auto pkt = query("h3.cdn07.example", true);
  std::uint8_t out[1500];
  for (auto _ : state) {
    dns::Query q;
    (void)dns::parse_query(pkt, q);
    auto k = dns::cache_key(std::span(pkt).subspan(12, q.qname_wire_len), q.qtype, q.qclass, q.dnssec_ok, false, kb);
    auto e = cache.find(k, 2);
    benchmark::DoNotOptimize(dns::write_from_cache(out, *e, pkt, q.question_end, q.flags, q.edns, q.dnssec_ok, 2));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_CacheHit);

} // namespace

BENCHMARK_MAIN();
