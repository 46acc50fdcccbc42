#include "netmap/dns/stats.hpp"

#include <algorithm>
#include <bit>

namespace netmap::dns {

namespace {

std::size_t bucket_of(std::uint64_t us) noexcept {
  if (us < 4) return static_cast<std::size_t>(us);
  auto msb = static_cast<std::size_t>(63 - std::countl_zero(us));
  std::size_t b = msb * 4 + ((us >> (msb - 2)) & 3u);
  return std::min(b, LatencyHistogram::k_buckets - 1);
}

double bucket_upper_us(std::size_t b) noexcept {
  if (b < 4) return static_cast<double>(b + 1);
  std::size_t msb = b / 4, sub = b % 4;
  return static_cast<double>((4 + sub + 1) << (msb - 2));
}

} // namespace

void LatencyHistogram::record(std::int64_t ns) noexcept {
  m_counts[bucket_of(static_cast<std::uint64_t>(std::max<std::int64_t>(0, ns)) / 1000)].add();
}

void LatencyHistogram::add_to(std::array<std::uint64_t, k_buckets>& into) const noexcept {
  for (std::size_t i = 0; i < k_buckets; ++i) into[i] += m_counts[i].get();
}

double LatencyHistogram::quantile_ms(const std::array<std::uint64_t, k_buckets>& counts, double q) noexcept {
  std::uint64_t total = 0;
  for (auto c : counts) total += c;
  if (total == 0) return 0;
  auto want = static_cast<std::uint64_t>(q * static_cast<double>(total));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < k_buckets; ++i) {
    seen += counts[i];
    if (seen > want || (seen == total && counts[i])) return bucket_upper_us(i) / 1000.0;
  }
  return bucket_upper_us(k_buckets - 1) / 1000.0;
}

void add_counters(const WorkerCounters& w, Counters& out, std::array<std::uint64_t, LatencyHistogram::k_buckets>& lat) {
  out.queries += w.queries.get();
  out.tcp_queries += w.tcp_queries.get();
  out.allowed += w.allowed.get();
  out.blocked += w.blocked.get();
  out.alias_reported += w.alias_reported.get();
  out.alias_blocked += w.alias_blocked.get();
  out.cache_hits += w.cache_hits.get();
  out.upstream_queries += w.upstream_queries.get();
  out.upstream_errors += w.upstream_errors.get();
  out.truncated += w.truncated.get();
  out.formerr += w.formerr.get();
  out.notimp += w.notimp.get();
  out.dropped += w.dropped.get();
  out.refused_clients += w.refused_clients.get();
  out.rate_limited += w.rate_limited.get();
  out.accept_pauses += w.accept_pauses.get();
  w.latency.add_to(lat);
}

bool RateLimiter::admit(std::uint64_t key, std::int64_t now_ns) noexcept {
  if (m_qps == 0) return true;
  Slot& s = m_slots[key % k_slots];
  if (s.key != key || s.last_ns == 0) {
    s = Slot{key, static_cast<double>(m_burst), now_ns};
  } else {
    double add = static_cast<double>(now_ns - s.last_ns) * 1e-9 * m_qps;
    s.tokens = std::min(static_cast<double>(m_burst), s.tokens + add);
    s.last_ns = now_ns;
  }
  if (s.tokens < 1.0) return false;
  s.tokens -= 1.0;
  return true;
}

} // namespace netmap::dns
