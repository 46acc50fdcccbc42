#pragma once
// A DNS message (RFC 1035 §4.1) decoded far enough to learn which names were asked for and which
// addresses, aliases and service targets the answers gave them.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace netmap::dissect {

/// One question: the name (presentation form, lowercase, no trailing dot) and its type.
struct DnsQuestion {
  std::string name;
  std::uint16_t type = 0;
};

/// One answer-section record of a type netmap follows (A, AAAA, CNAME, SVCB, HTTPS).
struct DnsRecord {
  std::string owner;                  ///< owner name
  std::uint16_t type = 0;             ///< RR type
  std::uint32_t ttl = 0;
  std::string target;                 ///< CNAME target, SVCB/HTTPS TargetName ("" = root)
  std::vector<std::string> addresses; ///< A/AAAA address, or SVCB ipv4hint/ipv6hint values
};

/// The parts of a message the dissector reports.
struct DnsMessage {
  std::uint16_t id = 0;
  bool response = false;
  std::uint8_t opcode = 0;
  std::uint8_t rcode = 0;
  std::vector<DnsQuestion> questions;
  std::vector<DnsRecord> answers;
  bool partial = false; ///< the bytes ended inside the answer section; what precedes is kept
  /// Bytes the message took, all four sections; 0 when they ended first or one is malformed.
  /// Less than what was decoded when more follows (UDP GSO sends, which captures see whole).
  std::size_t size = 0;
};

/// Decodes a message. With `allow_partial`, bytes ending inside the answer section still yield
/// the records read so far (snapshots, first IP fragments); otherwise that is a failure.
[[nodiscard]] std::optional<DnsMessage> decode_dns_message(std::span<const std::uint8_t> bytes,
                                                           bool allow_partial) noexcept;

/// True when `bytes` can begin a DNS message on TCP (RFC 1035 §4.2.2): a length prefix, then a
/// header with one question (or zone) and a standard opcode; where reading resumes after a gap.
[[nodiscard]] bool looks_like_dns_tcp(std::span<const std::uint8_t> bytes) noexcept;

/// The final name, addresses and aliases of an answer for `asked`, following CNAMEs in order.
struct DnsResolution {
  std::vector<std::string> chain;        ///< CNAME targets followed, in order
  std::vector<const DnsRecord*> addresses; ///< A/AAAA records of the final name
  std::vector<const DnsRecord*> services;  ///< SVCB/HTTPS records of the asked or final name
};

/// Follows the CNAME chain from `asked` through `msg`'s answers (bounded by the answer count).
[[nodiscard]] DnsResolution resolve_answers(const DnsMessage& msg, const std::string& asked);

/// "A", "AAAA", "HTTPS", … or "TYPE<n>" (RFC 3597 §5).
[[nodiscard]] std::string dns_type_name(std::uint16_t type);
/// "NOERROR", "NXDOMAIN", … or "RCODE<n>".
[[nodiscard]] std::string dns_rcode_name(std::uint8_t rcode);

} // namespace netmap::dissect
