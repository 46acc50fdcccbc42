#pragma once
// The bundled example project's traffic (examples/webapp), as the generator writes it: what its
// test suite sends when the six domains are real hosts behind a resolver, plus one bare-IP call.

#include <string>

namespace netmap::testgen {

/// Writes examples/webapp/capture.pcap's content to `path` (Ethernet, pcap).
void write_example_capture(const std::string& path);

} // namespace netmap::testgen
