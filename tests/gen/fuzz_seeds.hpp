#pragma once
// Seed inputs for the dissect fuzz targets, built from the fixtures and message builders.

#include <string>

namespace netmap::testgen {

/// Writes seeds into DIR/dissect_{packet,dns,tls,http,quic}/ and DIR/capture_pcap_file/ (directories
/// must exist or are made).
void write_fuzz_seeds(const std::string& dir);

} // namespace netmap::testgen
