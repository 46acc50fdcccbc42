#pragma once
// The dissector's private state, shared by its source files (dissector.cpp: frames and TCP;
// dissector_udp.cpp: DNS and QUIC). Not part of the module's interface.

#include "netmap/dissect/dissector.hpp"
#include "netmap/dissect/dns_message.hpp"
#include "netmap/dissect/flow_table.hpp"
#include "netmap/dissect/frame.hpp"
#include "netmap/dissect/quic_initial.hpp"

#include <array>
#include <cstdint>
#include <vector>

namespace netmap::dissect {

/// Private state of Dissector.
struct Dissector::Impl {
  /// State bounded by `limits`.
  explicit Impl(const Limits& l);

  Limits limits;
  FlowTable flows;
  std::uint64_t packets = 0;
  std::uint64_t gap_lost = 0;               ///< flows counted by count_gap()
  std::array<std::uint64_t, static_cast<std::size_t>(DropReason::Count)> drop_counts{};
  DropCounters drop_map;                    ///< rebuilt from drop_counts by drops()
  std::int64_t next_sweep_us = 0;
  std::uint64_t last_sweep_packets = 0;
  std::vector<std::uint8_t> scratch;        ///< joined TLS records
  std::vector<std::uint8_t> plain;          ///< an opened QUIC payload
  std::vector<QuicCryptoFragment> fragments;

  /// Counts one drop.
  void drop(DropReason r) noexcept { ++drop_counts[static_cast<std::size_t>(r)]; }
  /// The whole per-packet path.
  void packet(LinkType link, std::span<const std::uint8_t> bytes, std::int64_t t,
              std::vector<Observation>& out);
  /// A new observation carrying the frame's addresses.
  static Observation& emit(std::vector<Observation>& out, ObservationKind kind, const Frame& f,
                           std::int64_t t);

  // TCP (dissector.cpp)
  void tcp(const Frame& f, std::int64_t t, std::vector<Observation>& out);
  void tcp_payload(FlowEntry& e, const Frame& f, std::int64_t t, std::vector<Observation>& out);
  void deliver(FlowEntry& e, std::span<const std::uint8_t> bytes, const Frame& f, std::int64_t t,
               std::vector<Observation>& out);
  void scan_stream(FlowEntry& e, std::span<const std::uint8_t> bytes, const Frame& f,
                   std::int64_t t, std::vector<Observation>& out);
  void finish(FlowEntry& e) noexcept;
  /// Erases a closing flow, counting it when held segments still wait for missing bytes.
  void close(FlowEntry* e) noexcept;
  /// Segment `p` at `seq` lies past the next expected byte: holds it, or gives up waiting and
  /// returns true when the flow resumes at `seq` (next_seq then equals `seq`).
  bool gap(FlowEntry& e, std::uint32_t seq, std::span<const std::uint8_t> p);
  /// True when `p` can begin what the flow reads next (a head, a hello, a DNS message).
  static bool starts_unit(const FlowEntry& e, std::span<const std::uint8_t> p) noexcept;
  /// Counts a flow, once, among those that lost bytes to a gap they could not be read across.
  void count_gap(FlowEntry& e) noexcept;

  // DNS (dissector_udp.cpp)
  /// Reports one message's names; the bytes it took (DnsMessage::size), 0 when undecodable.
  std::size_t dns_message(std::span<const std::uint8_t> msg, bool partial, const Frame& f, std::int64_t t,
                          std::vector<Observation>& out);
  /// Emits the observations one decoded message gives.
  void report_dns(const DnsMessage& msg, const Frame& f, std::int64_t t, std::vector<Observation>& out);
  /// Reports a datagram's messages: one, or the several of a UDP GSO send seen before segmentation.
  void dns_datagram(const Frame& f, std::int64_t t, std::vector<Observation>& out);
  void dns_tcp(FlowEntry& e, std::span<const std::uint8_t> bytes, const Frame& f, std::int64_t t,
               std::vector<Observation>& out);
  // UDP and QUIC (dissector_udp.cpp)
  void udp(const Frame& f, std::int64_t t, std::vector<Observation>& out);
  void quic(FlowEntry& e, const Frame& f, std::int64_t t, std::vector<Observation>& out);
  bool crypto_fragment(FlowData& d, const QuicCryptoFragment& frag);
};

/// The flow key of a frame's direction.
[[nodiscard]] FlowKey flow_key(const Frame& f) noexcept;

} // namespace netmap::dissect
