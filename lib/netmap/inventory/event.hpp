#pragma once
// One contact attempt: the common currency of discover, the resolver, the proxy and replay.
// Serialized as one JSON object a line (JSON Lines); schema in docs/inventory-format.md.

#include "netmap/base/error.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace netmap::inventory {

/// How a name (or address) was seen.
enum class SeenVia { Dns, Sni, HttpHost, Connect, Quic, Resolver, Proxy, Direct };

/// Lowercase wire name ("dns", "sni", "http-host", "connect", "quic", "resolver", "proxy", "direct").
[[nodiscard]] const char* seen_via_name(SeenVia v) noexcept;
/// Parses a wire name.
[[nodiscard]] std::optional<SeenVia> parse_seen_via(std::string_view s) noexcept;

/// The events schema version written in every line as "v"; a reader refuses a newer one.
inline constexpr int k_event_version = 1;

/// A contact attempt. Empty strings and zero numbers are "not known" and are not written.
struct Event {
  std::int64_t time_us = 0;   ///< wall clock, microseconds since the epoch
  std::string producer;       ///< "discover", "sandbox-dns", "proxy", "replay"
  SeenVia via = SeenVia::Dns; ///< how it was seen
  std::string name;           ///< normalized host name, or the escaped raw name when invalid
  std::string address;        ///< destination (or answered) address, if known
  std::uint16_t port = 0;     ///< destination port, if known
  std::string transport;      ///< "udp", "tcp", "quic"
  std::string client;         ///< client address (resolver, proxy)
  std::string qtype;          ///< DNS query type ("A", "AAAA", …)
  std::string rcode;          ///< DNS answer code ("NOERROR", "NXDOMAIN", …)
  std::string verdict;        ///< decision_name() of the policy verdict
  std::string rule;           ///< the deciding rule's text
  std::string rule_source;    ///< where that rule was written
  std::string method;         ///< HTTP method (proxy)
  int status = 0;             ///< HTTP status returned (proxy)
  std::uint64_t bytes_up = 0;   ///< client → server bytes (proxy)
  std::uint64_t bytes_down = 0; ///< server → client bytes (proxy)
  double latency_ms = 0;      ///< answer latency (resolver) or duration (proxy)
  std::int64_t pid = 0;       ///< process that made the attempt (replay)
  std::string command;        ///< its command line (replay)
  std::string note;           ///< free text: "ech", "sni-mismatch: x", "ambiguous: a,b", "cname-of: x"
  std::uint32_t ttl = 0;      ///< DNS answer TTL (of the first address), when known
  std::vector<std::string> answers; ///< DNS: every address the answer gave (`address` holds the first)
};

/// The event as a JSON object.
[[nodiscard]] nlohmann::json to_json(const Event& e);
/// Reads an event; a failure naming the field when one is missing, of the wrong type or out of
/// range (a time that is not RFC 3339, an address that is not one, an unknown verdict). Names and
/// addresses come out in their one spelling (field_values.hpp).
[[nodiscard]] base::Result<Event> event_from_json(const nlohmann::json& j);
/// The event as one JSON Lines line (with the trailing newline).
[[nodiscard]] std::string to_jsonl(const Event& e);

} // namespace netmap::inventory
