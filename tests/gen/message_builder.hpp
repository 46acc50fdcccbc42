#pragma once
// Builds application messages: DNS queries and responses (with name compression, CNAME chains,
// HTTPS records), TLS ClientHellos (optionally with ECH, split into several records) and HTTP heads.

#include "packet_builder.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace netmap::testgen {

/// DNS RR types the builder writes.
inline constexpr std::uint16_t k_rr_a = 1, k_rr_cname = 5, k_rr_aaaa = 28, k_rr_https = 65;

/// One answer record to write.
struct DnsRr {
  std::string owner;
  std::uint16_t type = k_rr_a;
  std::uint32_t ttl = 300;
  std::string value;                   ///< address (A/AAAA) or target name (CNAME/HTTPS)
  std::uint16_t priority = 1;          ///< HTTPS SvcPriority (0 = AliasMode)
  std::vector<std::string> ipv4hint;   ///< HTTPS ipv4hint
  std::vector<std::string> ipv6hint;   ///< HTTPS ipv6hint
};

/// Writes DNS messages, compressing names against earlier ones (RFC 1035 §4.1.4).
class DnsBuilder {
public:
  /// A query for `name` of type `qtype`.
  [[nodiscard]] static Bytes query(std::uint16_t id, const std::string& name, std::uint16_t qtype);
  /// A response to `name`/`qtype` with `answers` (rcode 0 = NOERROR, 3 = NXDOMAIN).
  [[nodiscard]] static Bytes response(std::uint16_t id, const std::string& name, std::uint16_t qtype,
                                      const std::vector<DnsRr>& answers, std::uint8_t rcode = 0);
  /// The same message with the RFC 1035 §4.2.2 two-byte length prefix for TCP.
  [[nodiscard]] static Bytes tcp_framed(const Bytes& message);
};

/// A CNAME chain answer: `asked` → aliases… → addresses of the last alias.
[[nodiscard]] std::vector<DnsRr> cname_chain(const std::string& asked,
                                             const std::vector<std::string>& aliases,
                                             const std::vector<std::string>& addresses);

/// ClientHello choices.
struct HelloOptions {
  std::string sni;               ///< empty: no server_name extension
  bool ech = false;              ///< add an encrypted_client_hello (0xfe0d) extension
  std::uint16_t version = 0x0303; ///< legacy_version (0x0301 for TLS 1.0 …)
  bool tls13 = true;             ///< add supported_versions offering TLS 1.3
  std::size_t padding = 0;       ///< extra bytes in a padding extension (RFC 7685)
  bool sni_last = false;         ///< put server_name after the other extensions
};

/// The handshake message (type, length, body) of a ClientHello.
[[nodiscard]] Bytes client_hello(const HelloOptions& o);
/// Wraps a handshake message in TLS records of at most `max_fragment` bytes each.
[[nodiscard]] Bytes tls_records(const Bytes& handshake, std::size_t max_fragment = 16384);

/// An HTTP/1.1 request head: "METHOD target HTTP/1.1", then `host` as Host header if not empty.
[[nodiscard]] Bytes http_request(const std::string& method, const std::string& target,
                                 const std::string& host);

} // namespace netmap::testgen
