#pragma once
// Packets in, observations out. Holds bounded per-flow state (TCP first bytes, DNS over TCP,
// split ClientHellos, QUIC CRYPTO reassembly); never throws, never logs, counts what it drops.

#include "netmap/dissect/observation.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace netmap::dissect {

/// Link-layer types, numbered as pcap's LINKTYPE_ values.
enum class LinkType : std::uint32_t {
  Null = 0,        ///< BSD loopback (4-byte host-order family)
  Ethernet = 1,    ///< Ethernet II, with 802.1Q / QinQ tags
  Raw = 101,       ///< raw IPv4/IPv6
  Loop = 108,      ///< OpenBSD loopback (network-order family)
  LinuxSll = 113,  ///< Linux cooked v1 (`-i any`)
  LinuxSll2 = 276, ///< Linux cooked v2
};

/// Bounds on per-flow state, so memory stays flat on endless captures.
struct Limits {
  std::size_t max_flows = 65536;          ///< flows tracked at once (oldest evicted)
  std::size_t max_flow_bytes = 16384;     ///< first bytes kept per TCP direction
  std::int64_t flow_idle_us = 120000000;  ///< forget a flow idle this long
  bool mdns_llmnr = false;                ///< also report mDNS (5353) and LLMNR (5355)
  std::size_t max_buffered_bytes = 32u << 20; ///< all flows' buffers together (oldest shed first)
};

/// Counters of what could not be decoded, by reason ("truncated-ip", "bad-dns", …).
using DropCounters = std::map<std::string, std::uint64_t>;

/// Turns packets into observations.
class Dissector {
public:
  /// A dissector with these limits.
  explicit Dissector(Limits limits = {});
  ~Dissector();
  Dissector(const Dissector&) = delete;
  Dissector& operator=(const Dissector&) = delete;

  /// Decodes one captured frame of link type `link` seen at `time_us`; appends what it finds.
  /// `frame` may be a capture snapshot shorter than the packet on the wire.
  void packet(LinkType link, std::span<const std::uint8_t> frame, std::int64_t time_us,
              std::vector<Observation>& out) noexcept;
  /// Undecodable packets by reason, since construction.
  [[nodiscard]] const DropCounters& drops() const noexcept;
  /// Packets given to packet() since construction.
  [[nodiscard]] std::uint64_t packets() const noexcept;
  /// Flows evicted while still holding unfinished state (names that may have been lost).
  [[nodiscard]] std::uint64_t evicted_unfinished() const noexcept;
  /// TCP flows that lost bytes which may have held a name to a sequence gap (segments never
  /// captured, as the live kernel filter intends for bulk data) and could not be read across it:
  /// counted when the gap outgrows `max_flow_bytes`, at the close, and for gaps still open now.
  [[nodiscard]] std::uint64_t lost_to_gaps() const noexcept;

private:
  struct Impl;
  std::unique_ptr<Impl> m;
};

/// True when the link type is one the dissector understands.
[[nodiscard]] bool supported_link(std::uint32_t linktype) noexcept;

} // namespace netmap::dissect
