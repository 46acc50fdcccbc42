#pragma once
// A long, realistic capture for benchmarks: mostly bulk TCP payload (~1400 bytes) on concurrent
// downloads, with DNS (UDP and TCP, CNAME chains), TLS (some split), HTTP and QUIC v1/v2 mixed
// in, plus the ground truth of every name a dissector must find. Written as it is generated.

#include <cstdint>
#include <string>

namespace netmap::testgen {

/// What to generate.
struct BulkOptions {
  std::uint64_t packets = 1000000;
  std::uint64_t seed = 1;
  std::string output;       ///< capture file (pcap, Ethernet)
  std::string truth;        ///< ground-truth JSON ("" = none)
  bool pcapng = false;
};

/// What was generated.
struct BulkStats {
  std::uint64_t packets = 0;
  std::uint64_t names = 0;  ///< distinct names in the truth file
};

/// Generates the capture (and truth); throws std::runtime_error on I/O failure.
BulkStats write_bulk(const BulkOptions& o);

} // namespace netmap::testgen
