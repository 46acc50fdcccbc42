#pragma once
// DNS wire pieces the resolver's hot path needs: reading a query's header, question and EDNS OPT
// (through base::ByteReader, never trusting a length), and writing the small answers it makes
// itself (blocked, FORMERR, NOTIMP, REFUSED, SERVFAIL, TC, RFC 8482 ANY) straight into a buffer.

#include "netmap/base/byte_reader.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace netmap::dns {

/// RFC 1035 §4.1.1 / RFC 6895 response codes used here.
enum Rcode : std::uint8_t { k_noerror = 0, k_formerr = 1, k_servfail = 2, k_nxdomain = 3, k_notimp = 4, k_refused = 5 };

/// Query types with special handling.
inline constexpr std::uint16_t k_type_a = 1, k_type_ns = 2, k_type_cname = 5, k_type_soa = 6, k_type_hinfo = 13,
                               k_type_dname = 39, k_type_opt = 41, k_type_rrsig = 46, k_type_svcb = 64, k_type_https = 65,
                               k_type_ixfr = 251, k_type_axfr = 252, k_type_any = 255;
/// The Internet class.
inline constexpr std::uint16_t k_class_in = 1;
/// The UDP payload size we advertise and assume at most (the DNS flag day 2020 value).
inline constexpr std::uint16_t k_edns_size = 1232;
/// Size of the DNS header.
inline constexpr std::size_t k_header_size = 12;

/// How far a query could be read.
enum class QueryStatus {
  Ok,       ///< header, one question and at most one OPT read
  Drop,     ///< no header, or a response (QR set): never answered
  FormErr,  ///< header read, the rest malformed: answer FORMERR
  NotImp,   ///< opcode other than QUERY: answer NOTIMP
  BadVers,  ///< EDNS version other than 0: answer BADVERS (RFC 6891 §6.1.3)
};

/// What the hot path knows about a query. Spans point into the packet.
struct Query {
  std::uint16_t id = 0;
  std::uint16_t flags = 0;           ///< header flags as received
  std::uint16_t qtype = 0;
  std::uint16_t qclass = 0;
  std::size_t question_end = 0;      ///< offset just past the question (header + question bytes)
  std::size_t qname_wire_len = 0;    ///< bytes of the wire qname (labels + root)
  bool edns = false;                 ///< an OPT RR was present
  bool dnssec_ok = false;            ///< its DO bit
  std::uint16_t udp_size = 512;      ///< what the client can take over UDP (>= 512)
  bool name_ok = false;              ///< the name is a host name in canonical form (policy::is_canonical_host)
  char name[256] = {};               ///< lowercase dotted name without the trailing dot ("" = root)
  std::uint8_t name_len = 0;         ///< bytes used in `name`
  std::uint64_t name_hash = 0;       ///< base::hash_text(name_view()), when name_ok: tables reuse it
  /// The normalized name for the matcher (valid only when name_ok).
  [[nodiscard]] std::string_view name_view() const noexcept { return {name, name_len}; }
};

/// Reads a query. Never throws; `q` holds what was read so far (id/flags valid unless Drop).
[[nodiscard]] QueryStatus parse_query(std::span<const std::uint8_t> packet, Query& q) noexcept;

/// The raw question's name rendered for people and JSON (DNS presentation escapes, lowercase).
[[nodiscard]] std::string display_name(std::span<const std::uint8_t> packet);

/// An output buffer the size of the largest UDP answer we make; writes are bounds-checked.
struct Writer {
  std::uint8_t* data;
  std::size_t cap;
  std::size_t len = 0;
  bool overflow = false;
  /// Appends bytes (sets overflow instead of writing past the end).
  void put(const void* p, std::size_t n) noexcept;
  void u8(std::uint8_t v) noexcept { put(&v, 1); }
  void u16(std::uint16_t v) noexcept;
  void u32(std::uint32_t v) noexcept;
};

/// Writes header + the client's question (exact bytes), flags for a response with `rcode`, counts
/// zeroed except QDCOUNT. `question_end` 12 means no question is echoed.
void write_reply_head(Writer& w, std::span<const std::uint8_t> query, std::size_t question_end,
                      std::uint16_t query_flags, std::uint8_t rcode) noexcept;
/// Appends an OPT RR (RFC 6891) with our UDP size, optionally one EDE option (RFC 8914), and
/// bumps ARCOUNT. `ext_rcode` is the upper 8 bits of a 12-bit rcode (BADVERS = 1).
void write_opt(Writer& w, bool dnssec_ok, std::uint8_t ext_rcode, std::uint16_t ede_code,
               std::string_view ede_text) noexcept;

/// Largest EXTRA-TEXT a blocked answer carries, so the answer stays within a fixed overhead.
inline constexpr std::size_t k_ede_text_max = 160;
/// EDE INFO-CODE 15, "Blocked" (RFC 8914 §4.16).
inline constexpr std::uint16_t k_ede_blocked = 15;
/// EDE INFO-CODE 18, "Prohibited" (RFC 8914 §4.19): clients outside the allowed networks.
inline constexpr std::uint16_t k_ede_prohibited = 18;
/// EDE INFO-CODE 22, "No Reachable Authority" (RFC 8914 §4.23): upstream failures.
inline constexpr std::uint16_t k_ede_no_reachable = 22;

/// Bytes of the SOA record a blocked answer carries in its authority section.
inline constexpr std::size_t k_blocked_soa_size = 56;

/// The answer for a blocked name: the question echoed, NXDOMAIN or REFUSED, a fixed SOA of
/// k_blocked_soa_size bytes in the authority section, and (when the client spoke EDNS) OPT with
/// EDE 15 and `text` (cut to k_ede_text_max). Returns the length, 0 when `out` is too small.
std::size_t write_blocked(std::span<std::uint8_t> out, std::span<const std::uint8_t> query, const Query& q,
                          std::uint8_t rcode, std::string_view text) noexcept;
/// A reply made of header, question (when readable) and OPT when the client spoke EDNS: FORMERR,
/// NOTIMP, REFUSED, SERVFAIL, BADVERS, or a TC answer when `tc`. Returns the length.
std::size_t write_simple(std::span<std::uint8_t> out, std::span<const std::uint8_t> query, const Query& q,
                         std::uint8_t rcode, bool tc = false, std::uint16_t ede_code = 0,
                         std::string_view ede_text = {}) noexcept;
/// RFC 8482 §4.2: answers ANY with one synthesized HINFO "RFC8482" record. Returns the length.
std::size_t write_any_hinfo(std::span<std::uint8_t> out, std::span<const std::uint8_t> query, const Query& q) noexcept;

/// Builds the query we send upstream: `id`, RD, CD copied, the question bytes as the client sent
/// them, and OPT with our size and the client's DO bit. Returns the length.
std::size_t write_upstream_query(std::span<std::uint8_t> out, std::span<const std::uint8_t> query, const Query& q,
                                 std::uint16_t id) noexcept;

/// Reads a big-endian 16-bit value from a buffer known to be long enough.
[[nodiscard]] inline std::uint16_t load16(const std::uint8_t* p) noexcept {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
/// Writes a big-endian 16-bit value to a buffer known to be long enough.
inline void store16(std::uint8_t* p, std::uint16_t v) noexcept {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}

/// ASCII lowercase of one byte (DNS names compare case-insensitively, RFC 4343).
[[nodiscard]] constexpr std::uint8_t lower(std::uint8_t c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<std::uint8_t>(c + 32) : c;
}
/// Skips a possibly compressed name; false when it runs past the end or is malformed.
[[nodiscard]] bool skip_name(base::ByteReader& r) noexcept;
/// "NOERROR", "NXDOMAIN", …
[[nodiscard]] const char* rcode_name(unsigned rcode) noexcept;

} // namespace netmap::dns
