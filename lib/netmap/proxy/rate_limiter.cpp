#include "netmap/proxy/rate_limiter.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace netmap::proxy {

namespace {
// Never ask a throttled connection to come back for less than this: one read's worth of traffic.
constexpr double k_min_chunk = 1024;
// Past this many tracked hosts, buckets that have refilled are forgotten (they equal a new one).
constexpr std::size_t k_prune_at = 4096;
} // namespace

TokenBucket::TokenBucket(double rate, double burst, std::int64_t now_ns) noexcept
    : m_rate(rate), m_burst(burst), m_tokens(burst), m_last(now_ns) {}

void TokenBucket::refill(std::int64_t now_ns) noexcept {
  if (now_ns > m_last) {
    m_tokens = std::min(m_burst, m_tokens + m_rate * static_cast<double>(now_ns - m_last) / 1e9);
    m_last = now_ns;
  }
}

double TokenBucket::take(double want, std::int64_t now_ns) noexcept {
  refill(now_ns);
  double got = std::min(want, std::floor(m_tokens));
  if (got <= 0) return 0;
  m_tokens -= got;
  return got;
}

std::int64_t TokenBucket::wait_ns(double amount, std::int64_t now_ns) noexcept {
  refill(now_ns);
  amount = std::min(amount, m_burst);
  if (m_tokens >= amount) return 0;
  return static_cast<std::int64_t>(std::ceil((amount - m_tokens) / m_rate * 1e9));
}

bool TokenBucket::full(std::int64_t now_ns) noexcept {
  refill(now_ns);
  return m_tokens >= m_burst;
}

RateLimiter::RateLimiter(double requests_per_s, double bytes_per_s) noexcept
    : m_request_rate(requests_per_s), m_bytes_rate(bytes_per_s) {}

TokenBucket& RateLimiter::bucket(std::unordered_map<std::string, TokenBucket>& map, const std::string& host,
                                 double rate, double burst, std::int64_t now_ns) {
  if (map.size() >= k_prune_at)
    for (auto it = map.begin(); it != map.end();) it = it->second.full(now_ns) ? map.erase(it) : std::next(it);
  return map.try_emplace(host, rate, burst, now_ns).first->second;
}

bool RateLimiter::admit_request(const std::string& host, std::int64_t now_ns, double* retry_after_s) {
  if (m_request_rate <= 0) return true;
  std::lock_guard lock(m_mutex);
  // A burst of one second's worth (at least one request) keeps short spikes from being refused.
  auto& b = bucket(m_requests, host, m_request_rate, std::max(1.0, m_request_rate), now_ns);
  if (b.take(1, now_ns) >= 1) return true;
  if (retry_after_s) *retry_after_s = static_cast<double>(b.wait_ns(1, now_ns)) / 1e9;
  return false;
}

std::size_t RateLimiter::take_bytes(const std::string& host, std::size_t want, std::int64_t now_ns) {
  if (m_bytes_rate <= 0) return want;
  std::lock_guard lock(m_mutex);
  auto& b = bucket(m_bytes, host, m_bytes_rate, std::max(k_min_chunk, m_bytes_rate), now_ns);
  return static_cast<std::size_t>(b.take(static_cast<double>(want), now_ns));
}

void RateLimiter::return_bytes(const std::string& host, std::size_t unused, std::int64_t now_ns) {
  if (m_bytes_rate <= 0 || unused == 0) return;
  std::lock_guard lock(m_mutex);
  bucket(m_bytes, host, m_bytes_rate, std::max(k_min_chunk, m_bytes_rate), now_ns).put_back(static_cast<double>(unused));
}

std::int64_t RateLimiter::bytes_wait_ns(const std::string& host, std::int64_t now_ns) {
  if (m_bytes_rate <= 0) return 0;
  std::lock_guard lock(m_mutex);
  auto& b = bucket(m_bytes, host, m_bytes_rate, std::max(k_min_chunk, m_bytes_rate), now_ns);
  return b.wait_ns(std::min(k_min_chunk, m_bytes_rate), now_ns);
}

} // namespace netmap::proxy
