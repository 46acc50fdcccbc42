#pragma once
// Upstream answers kept for their TTL (RFC 1035 §3.2.1) and negative answers for the SOA's negative
// TTL (RFC 2308 §5). Keyed by the lowercased question and the DO/CD bits; sharded for threads.
// The cache holds only answers to allowed names and never decides a policy: every lookup comes
// after the matcher said yes, and alias targets are re-checked on every hit.

#include "netmap/dns/response.hpp"

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace netmap::dns {

/// One cached answer, without the upstream's OPT RR.
struct CacheEntry {
  std::string key;                        ///< its cache key (a worker's NearCache compares it)
  std::vector<std::uint8_t> message;      ///< header + question + RRs (ARCOUNT without OPT)
  std::vector<std::uint16_t> ttl_offsets; ///< where to age the TTLs
  std::int64_t stored_ns = 0;             ///< monotonic time of storage
  std::int64_t expires_ns = 0;            ///< monotonic time it stops being served
  unsigned rcode = 0;                     ///< NOERROR or NXDOMAIN
  std::vector<std::string> alias_targets; ///< checked against the policy on every hit
  std::string first_address;              ///< for the event
  std::uint32_t ttl = 0;                  ///< the TTL it was stored with
};

/// Longest time any answer is kept (one day) and negative answers (three hours, RFC 2308 §5).
inline constexpr std::uint32_t k_max_ttl = 86400, k_max_negative_ttl = 10800;

/// The cache key of a query: lowercased wire qname, QTYPE, QCLASS, DO and CD.
[[nodiscard]] std::string_view cache_key(std::span<const std::uint8_t> qname_wire, std::uint16_t qtype,
                                         std::uint16_t qclass, bool dnssec_ok, bool checking_disabled,
                                         std::array<char, 264>& buf) noexcept;

/// A sharded map from key to entry with a bounded size.
class Cache {
public:
  /// A cache holding at most about `capacity` entries.
  explicit Cache(std::size_t capacity);
  /// The live entry for `key` at `now_ns`, or null.
  [[nodiscard]] std::shared_ptr<const CacheEntry> find(std::string_view key, std::int64_t now_ns);
  /// Stores an answer if it is cacheable (NOERROR with answers or NODATA/NXDOMAIN with an SOA).
  /// Returns the entry made (also when not stored, so the caller can answer from it).
  std::shared_ptr<const CacheEntry> store(std::string_view key, std::span<const std::uint8_t> msg,
                                          const ResponseInfo& info, std::int64_t now_ns);
  /// Entries held now.
  [[nodiscard]] std::size_t size() const;

private:
  struct Hash {
    using is_transparent = void;
    // Deliberately not noexcept: libstdc++ then keeps each key's hash in its node, so a lookup
    // neither rehashes the keys it passes nor compares them unless the hashes agree.
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, std::shared_ptr<const CacheEntry>, Hash, std::equal_to<>> map;
  };
  static constexpr std::size_t k_shards = 16;
  std::array<Shard, k_shards> m_shards;
  std::size_t m_per_shard;
};

/// Writes the answer for a client from a cache entry: the client's ID and question bytes, TTLs
/// aged, RD/CD as the client sent them, our OPT when the client spoke EDNS. Returns the length,
/// 0 if it does not fit `out` (the caller then answers TC).
std::size_t write_from_cache(std::span<std::uint8_t> out, const CacheEntry& e, std::span<const std::uint8_t> query,
                             std::size_t question_end, std::uint16_t query_flags, bool edns, bool dnssec_ok,
                             std::int64_t now_ns) noexcept;

} // namespace netmap::dns
