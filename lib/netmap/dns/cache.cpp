#include "netmap/dns/cache.hpp"

#include "netmap/dns/wire.hpp"

#include <algorithm>
#include <cstring>

namespace netmap::dns {

std::string_view cache_key(std::span<const std::uint8_t> qname_wire, std::uint16_t qtype, std::uint16_t qclass,
                           bool dnssec_ok, bool checking_disabled, std::array<char, 264>& buf) noexcept {
  std::size_t n = std::min(qname_wire.size(), buf.size() - 5);
  for (std::size_t i = 0; i < n; ++i) buf[i] = static_cast<char>(lower(qname_wire[i]));
  buf[n] = static_cast<char>(qtype >> 8);
  buf[n + 1] = static_cast<char>(qtype & 0xFF);
  buf[n + 2] = static_cast<char>(qclass >> 8);
  buf[n + 3] = static_cast<char>(qclass & 0xFF);
  buf[n + 4] = static_cast<char>((dnssec_ok ? 1 : 0) | (checking_disabled ? 2 : 0));
  return {buf.data(), n + 5};
}

Cache::Cache(std::size_t capacity) : m_per_shard(std::max<std::size_t>(1, capacity / k_shards)) {}

std::shared_ptr<const CacheEntry> Cache::find(std::string_view key, std::int64_t now_ns) {
  Shard& s = m_shards[std::hash<std::string_view>{}(key) % k_shards];
  std::lock_guard lock(s.mu);
  auto it = s.map.find(key);
  if (it == s.map.end()) return nullptr;
  if (it->second->expires_ns <= now_ns) {
    s.map.erase(it);
    return nullptr;
  }
  return it->second;
}

std::shared_ptr<const CacheEntry> Cache::store(std::string_view key, std::span<const std::uint8_t> msg,
                                               const ResponseInfo& info, std::int64_t now_ns) {
  auto e = std::make_shared<CacheEntry>();
  e->key = std::string(key);
  e->message.assign(msg.begin(), msg.begin() + static_cast<std::ptrdiff_t>(info.body_end));
  store16(e->message.data() + 10, info.arcount_without_opt);
  e->ttl_offsets = info.ttl_offsets;
  e->rcode = info.rcode;
  e->alias_targets = info.alias_targets;
  if (!info.addresses.empty()) e->first_address = info.addresses.front();
  e->stored_ns = now_ns;
  // Positive answers live for their smallest TTL; NODATA and NXDOMAIN for the SOA's negative TTL,
  // and are not cached at all without one (RFC 2308 §5).
  std::uint32_t ttl = 0;
  bool negative = info.rcode == k_nxdomain || (info.rcode == k_noerror && info.answer_count == 0);
  if (info.rcode == k_noerror && info.answer_count > 0) ttl = std::min(info.min_ttl, k_max_ttl);
  else if (negative && info.negative_ttl) ttl = std::min(*info.negative_ttl, k_max_negative_ttl);
  e->ttl = ttl;
  e->expires_ns = now_ns + std::int64_t{ttl} * 1'000'000'000;
  bool cacheable = ttl > 0 && (info.rcode == k_noerror || info.rcode == k_nxdomain) && !info.truncated;
  if (cacheable) {
    Shard& s = m_shards[std::hash<std::string_view>{}(key) % k_shards];
    std::lock_guard lock(s.mu);
    if (s.map.size() >= m_per_shard) {
      // Drop expired entries first; if none, an arbitrary one (the bucket order is random enough).
      for (auto it = s.map.begin(); it != s.map.end();)
        it = it->second->expires_ns <= now_ns ? s.map.erase(it) : std::next(it);
      if (s.map.size() >= m_per_shard) s.map.erase(s.map.begin());
    }
    s.map.insert_or_assign(std::string(key), e);
  }
  return e;
}

std::size_t Cache::size() const {
  std::size_t n = 0;
  for (const auto& s : m_shards) {
    std::lock_guard lock(s.mu);
    n += s.map.size();
  }
  return n;
}

std::size_t write_from_cache(std::span<std::uint8_t> out, const CacheEntry& e, std::span<const std::uint8_t> query,
                             std::size_t question_end, std::uint16_t query_flags, bool edns, bool dnssec_ok,
                             std::int64_t now_ns) noexcept {
  if (e.message.size() > out.size() || question_end > e.message.size()) return 0;
  std::memcpy(out.data(), e.message.data(), e.message.size());
  // RFC 1035 §4.1.1: the client's ID; the question exactly as asked (0x20 case, RFC draft-vixie-dnsext-dns0x20).
  std::memcpy(out.data(), query.data(), 2);
  std::memcpy(out.data() + k_header_size, query.data() + k_header_size, question_end - k_header_size);
  std::uint16_t flags = load16(out.data() + 2);
  flags = static_cast<std::uint16_t>((flags & ~0x0110u) | (query_flags & 0x0110u) | 0x0080u);
  flags = static_cast<std::uint16_t>(flags & ~0x0400u); // not authoritative: we forward
  store16(out.data() + 2, flags);
  auto age = static_cast<std::uint32_t>(std::max<std::int64_t>(0, (now_ns - e.stored_ns) / 1'000'000'000));
  for (std::uint16_t off : e.ttl_offsets) {
    if (off + 4u > e.message.size()) continue;
    std::uint8_t* p = out.data() + off;
    std::uint32_t ttl = (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
    ttl = std::min(ttl, e.ttl) > age ? std::min(ttl, e.ttl) - age : 0;
    p[0] = static_cast<std::uint8_t>(ttl >> 24);
    p[1] = static_cast<std::uint8_t>(ttl >> 16);
    p[2] = static_cast<std::uint8_t>(ttl >> 8);
    p[3] = static_cast<std::uint8_t>(ttl);
  }
  Writer w{out.data(), out.size(), e.message.size()};
  if (edns) write_opt(w, dnssec_ok, 0, 0, {});
  return w.overflow ? 0 : w.len;
}

} // namespace netmap::dns
