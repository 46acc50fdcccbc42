#pragma once
// Per-destination-host token buckets: requests per second (excess answered 429) and bytes per
// second (excess delayed). Thread-safe: the event-loop threads share one limiter.

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace netmap::proxy {

/// A token bucket: `rate` tokens a second, at most `burst` stored. Time is monotonic nanoseconds.
class TokenBucket {
public:
  /// A bucket that starts full.
  TokenBucket(double rate, double burst, std::int64_t now_ns) noexcept;
  /// Takes up to `want` tokens; returns how many were taken (0 when empty).
  double take(double want, std::int64_t now_ns) noexcept;
  /// Gives back bytes granted by take_bytes but not used (a read returned fewer).
  void return_bytes(const std::string& host, std::size_t unused, std::int64_t now_ns);
  /// Returns tokens taken but not used (never above the burst).
  void put_back(double amount) noexcept { m_tokens = m_tokens + amount > m_burst ? m_burst : m_tokens + amount; }
  /// Nanoseconds until `amount` tokens are available (0 when they are now).
  [[nodiscard]] std::int64_t wait_ns(double amount, std::int64_t now_ns) noexcept;
  /// True when the bucket has refilled completely by `now_ns` (it can be forgotten).
  [[nodiscard]] bool full(std::int64_t now_ns) noexcept;

private:
  void refill(std::int64_t now_ns) noexcept;
  double m_rate;
  double m_burst;
  double m_tokens;
  std::int64_t m_last;
};

/// Per-host limits; a zero rate means unlimited (every call succeeds at once).
class RateLimiter {
public:
  /// `requests_per_s` and `bytes_per_s` per host; 0 disables that limit.
  RateLimiter(double requests_per_s, double bytes_per_s) noexcept;
  /// True when one more request to `host` fits; otherwise false and the seconds until one would.
  bool admit_request(const std::string& host, std::int64_t now_ns, double* retry_after_s);
  /// Grants up to `want` bytes of traffic for `host` now (0 when its bucket is empty).
  std::size_t take_bytes(const std::string& host, std::size_t want, std::int64_t now_ns);
  /// Gives back bytes granted by take_bytes but not used (a read returned fewer).
  void return_bytes(const std::string& host, std::size_t unused, std::int64_t now_ns);
  /// Nanoseconds until `host` may move at least a small chunk of bytes again.
  [[nodiscard]] std::int64_t bytes_wait_ns(const std::string& host, std::int64_t now_ns);
  /// True when a bytes-per-second limit is set.
  [[nodiscard]] bool limits_bytes() const noexcept { return m_bytes_rate > 0; }
  /// True when a requests-per-second limit is set.
  [[nodiscard]] bool limits_requests() const noexcept { return m_request_rate > 0; }

private:
  TokenBucket& bucket(std::unordered_map<std::string, TokenBucket>& map, const std::string& host, double rate,
                      double burst, std::int64_t now_ns);
  double m_request_rate;
  double m_bytes_rate;
  std::mutex m_mutex;
  std::unordered_map<std::string, TokenBucket> m_requests;
  std::unordered_map<std::string, TokenBucket> m_bytes;
};

} // namespace netmap::proxy
