#pragma once
// Per-thread bookkeeping of the resolver: counters written by one thread and read by any, a
// latency histogram, and the per-client token buckets (the name/client tally is in tally.hpp).

#include "netmap/dns/server.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace netmap::dns {

/// One counter with one writer: a plain load/store (no locked instruction), readable anywhere.
struct Counter {
  std::atomic<std::uint64_t> v{0};
  /// Adds `n` (only the owning thread calls this).
  void add(std::uint64_t n = 1) noexcept { v.store(v.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  /// The value now.
  [[nodiscard]] std::uint64_t get() const noexcept { return v.load(std::memory_order_relaxed); }
};

/// Latency buckets: four per power of two of microseconds (about 19% resolution).
class LatencyHistogram {
public:
  static constexpr std::size_t k_buckets = 4 * 40;
  /// Records one latency, in nanoseconds (owning thread only).
  void record(std::int64_t ns) noexcept;
  /// Adds this histogram's counts into `into`.
  void add_to(std::array<std::uint64_t, k_buckets>& into) const noexcept;
  /// The value (ms) under which `q` (0..1) of `counts` lie.
  [[nodiscard]] static double quantile_ms(const std::array<std::uint64_t, k_buckets>& counts, double q) noexcept;

private:
  std::array<Counter, k_buckets> m_counts;
};

/// The counters of one worker thread.
struct WorkerCounters {
  Counter queries, tcp_queries, allowed, blocked, alias_reported, alias_blocked, cache_hits, upstream_queries,
      upstream_errors, truncated, formerr, notimp, dropped, refused_clients, rate_limited, accept_pauses;
  LatencyHistogram latency;
};

/// Sums worker counters into the public snapshot.
void add_counters(const WorkerCounters& w, Counters& out, std::array<std::uint64_t, LatencyHistogram::k_buckets>& lat);

/// Token buckets per client address in a fixed table (a flood of sources cannot grow it).
class RateLimiter {
public:
  /// `qps` tokens per second, `burst` deep; qps 0 disables.
  RateLimiter(std::uint32_t qps, std::uint32_t burst) noexcept : m_qps(qps), m_burst(burst ? burst : qps) {}
  /// True when a query from the address with hash `key` may be served at `now_ns`.
  [[nodiscard]] bool admit(std::uint64_t key, std::int64_t now_ns) noexcept;

private:
  struct Slot {
    std::uint64_t key = 0;
    double tokens = 0;
    std::int64_t last_ns = 0;
  };
  static constexpr std::size_t k_slots = 4096;
  std::uint32_t m_qps, m_burst;
  std::array<Slot, k_slots> m_slots{};
};

} // namespace netmap::dns
