#pragma once
// What the dissectors report from packets: names, the addresses DNS gave them, and connections.
// Plain data; produced by Dissector, consumed by discover (capture → inventory).

#include <cstdint>
#include <string>
#include <vector>

namespace netmap::dissect {

/// What kind of sighting an observation is.
enum class ObservationKind {
  DnsQuery,    ///< a DNS question (name, qtype) from a client
  DnsAnswer,   ///< a DNS response: `name` answered with `answers` (CNAME chain resolved)
  TlsSni,      ///< a TLS ClientHello server name on TCP
  QuicSni,     ///< a QUIC Initial's ClientHello server name
  HttpHost,    ///< an HTTP/1.x request Host header (or absolute-form target host)
  HttpConnect, ///< an HTTP CONNECT authority (host:port) sent to a proxy
  Connection,  ///< a connection start (TCP SYN, first UDP datagram of a flow) with no name in it
};

/// One address a DNS answer gave a name, with its TTL.
struct DnsAddress {
  std::string address; ///< textual IPv4/IPv6
  std::uint32_t ttl = 0;
};

/// One sighting. Strings are already escaped for printing (DNS presentation style) when they
/// came from the wire; `name` is lowercase with no trailing dot.
struct Observation {
  ObservationKind kind = ObservationKind::Connection;
  std::int64_t time_us = 0;     ///< capture timestamp
  std::string name;             ///< the host name asked for / sent (empty for Connection)
  std::string src;              ///< source address
  std::string dst;              ///< destination address
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  std::string transport;        ///< "udp", "tcp"
  std::string qtype;            ///< DnsQuery/DnsAnswer: "A", "AAAA", "HTTPS", …
  std::string rcode;            ///< DnsAnswer: "NOERROR", "NXDOMAIN", …
  std::vector<DnsAddress> answers;     ///< DnsAnswer: final addresses for `name`
  std::vector<std::string> cname_chain; ///< DnsAnswer: aliases followed, in order (targets)
  std::vector<std::string> svcb_targets; ///< DnsAnswer: HTTPS/SVCB alias/target names
  std::string note;             ///< "ech" (outer SNI of an ECH hello), "quic-v2", "truncated", …
  std::uint16_t target_port = 0; ///< HttpConnect/HttpHost: the port the request names (0: none)
};

} // namespace netmap::dissect
