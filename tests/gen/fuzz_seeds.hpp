#pragma once
// Seed inputs for the dissect, capture and replay fuzz targets, built from the fixtures and
// message builders.

#include <string>

namespace netmap::testgen {

/// Writes seeds into DIR/dissect_{packet,dns,tls,http,quic}/, DIR/capture_pcap{,ng}_file/ and
/// DIR/replay_refusal/ (directories must exist or are made).
void write_fuzz_seeds(const std::string& dir);

} // namespace netmap::testgen
