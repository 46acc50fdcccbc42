#pragma once
// Reading an upstream's answer: checks it (ldns parses it too, as a second opinion), finds the
// TTLs to age in the cache, the OPT record to drop, and the alias targets the policy must see.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace netmap::dns {

/// What the resolver needs from an upstream answer.
struct ResponseInfo {
  std::uint16_t id = 0;
  std::uint16_t flags = 0;
  unsigned rcode = 0;                       ///< full 12-bit rcode (OPT's upper bits included)
  bool truncated = false;                   ///< TC: ask again over TCP
  std::vector<std::uint16_t> ttl_offsets;   ///< where each non-OPT RR's TTL sits
  std::size_t body_end = 0;                 ///< message length without a trailing OPT RR
  std::uint16_t arcount_without_opt = 0;    ///< ARCOUNT once that OPT is dropped
  std::uint32_t min_ttl = 0;                ///< smallest TTL of the answer section (positive)
  std::optional<std::uint32_t> negative_ttl; ///< min(SOA TTL, SOA MINIMUM) from authority (RFC 2308 §5)
  std::uint16_t answer_count = 0;           ///< ANCOUNT
  std::vector<std::string> alias_targets;   ///< CNAME/DNAME/HTTPS/SVCB targets, lowercase dotted
  std::vector<std::string> addresses;       ///< A/AAAA answers, as text (for the event)
};

/// Why an answer was not usable.
enum class ResponseError { None, Malformed, Mismatch, OptNotLast };

/// Reads an upstream answer to the question `question` (wire bytes from offset 12 of the query
/// up to the end of QCLASS). Never throws; `err` says why nothing came back.
[[nodiscard]] std::optional<ResponseInfo> read_response(std::span<const std::uint8_t> msg,
                                                        std::span<const std::uint8_t> question,
                                                        ResponseError& err);

/// Decodes a possibly compressed name at `offset` of `msg` (RFC 1035 §4.1.4: pointers only go
/// backwards, bounded hops). Lowercase, dotted, no trailing dot; escaped. Nothing when malformed.
[[nodiscard]] std::optional<std::string> decode_name(std::span<const std::uint8_t> msg, std::size_t offset,
                                                     std::size_t* end = nullptr);

/// True when ldns also accepts the message (used before an answer enters the cache).
[[nodiscard]] bool ldns_accepts(std::span<const std::uint8_t> msg) noexcept;

} // namespace netmap::dns
