#pragma once
// The one DNS name decoder (RFC 1035 §3.1, §4.1.4): labels and backward compression pointers.

#include "netmap/base/byte_reader.hpp"

#include <string>

namespace netmap::dissect {

/// Reads the name at the reader's position and leaves the reader just after it (after the first
/// pointer when compressed). Writes the name lowercase, without the trailing dot, each label
/// escaped in presentation style ('.' inside a label as "\."); the root name gives "".
/// Pointers must point strictly before the previous jump origin (PowerDNS's rule), so loops are
/// impossible; the wire name may not exceed 255 bytes. False on any violation or running short.
[[nodiscard]] bool read_dns_name(base::ByteReader& r, std::string& out) noexcept;

/// Appends one label's bytes to `out` the way read_dns_name renders them.
void append_label(std::string& out, std::span<const std::uint8_t> label);

} // namespace netmap::dissect
