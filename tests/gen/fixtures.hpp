#pragma once
// The small capture fixtures tests use: every link type, each protocol, split and broken cases.
// `netmap-gen fixtures DIR` writes them; unit tests build the same frames in memory.

#include "packet_builder.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace netmap::testgen {

/// One fixture capture.
struct Fixture {
  std::string file;    ///< file name (".pcap" or ".pcapng")
  Link link = Link::Ethernet;
  std::string recipe;  ///< what it holds, for tests/data/captures/README.md
  std::vector<std::pair<std::int64_t, Bytes>> frames; ///< (time_us, frame)
  std::uint32_t snaplen = 262144;
  /// Observations a correct dissector reports: "kind name" or "kind name note"; kinds are
  /// dns-query, dns-answer, tls, quic, http-host, http-connect, connection (name = dst address).
  std::vector<std::string> expect;
  /// Drop reasons it must count.
  std::vector<std::string> expect_drops;
};

/// All fixtures.
[[nodiscard]] std::vector<Fixture> make_fixtures();
/// Writes every fixture and a README.md with one recipe line each into `dir`.
void write_fixtures(const std::string& dir);

} // namespace netmap::testgen
