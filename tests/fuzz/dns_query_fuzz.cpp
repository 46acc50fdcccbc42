// Fuzzes the resolver's query path: the query reader, every answer it crafts from the query's
// own bytes (blocked, FORMERR/NOTIMP/REFUSED/SERVFAIL/TC, ANY, upstream query), and the upstream
// answer reader + cache writer fed the same bytes as if an upstream had sent them.

#include "netmap/dns/cache.hpp"
#include "netmap/dns/response.hpp"
#include "netmap/dns/wire.hpp"

#include <array>
#include <cstdint>
#include <cstdlib>
#include <span>

using namespace netmap::dns;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> pkt(data, size);
  static std::uint8_t out[70000];
  Query q;
  QueryStatus st = parse_query(pkt, q);
  if (st == QueryStatus::Drop) return 0;
  if (q.question_end > size) std::abort();
  std::size_t n = write_simple(out, pkt, q, k_formerr, (size & 1) != 0, k_ede_no_reachable, "x");
  if (n > sizeof out) std::abort();
  if (st != QueryStatus::Ok) return 0;
  n = write_blocked(std::span(out, 1500), pkt, q, k_nxdomain, std::string_view(reinterpret_cast<const char*>(data), size));
  // The no-amplification bound: question + fixed SOA + OPT + EDE text at most.
  if (n > q.question_end + k_blocked_soa_size + 11 + 6 + k_ede_text_max) std::abort();
  (void)write_any_hinfo(out, pkt, q);
  (void)write_upstream_query(std::span(out, 600), pkt, q, 1);
  (void)display_name(pkt);

  // The same bytes as an upstream's answer to this question.
  std::span<const std::uint8_t> question = pkt.subspan(k_header_size, q.question_end - k_header_size);
  ResponseError err;
  auto info = read_response(pkt, question, err);
  if (!info) return 0;
  if (info->body_end > size) std::abort();
  Cache cache(4);
  std::array<char, 264> kb;
  auto key = cache_key(question.first(q.qname_wire_len), q.qtype, q.qclass, q.dnssec_ok, false, kb);
  auto e = cache.store(key, pkt, *info, 1);
  (void)write_from_cache(out, *e, pkt, q.question_end, q.flags, q.edns, q.dnssec_ok, 5'000'000'000);
  (void)ldns_accepts(pkt);
  return 0;
}
