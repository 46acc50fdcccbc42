#pragma once
// Builds pcapng files block by block in memory, for tests of netmap's pcapng reader: several
// sections in either byte order, interfaces of different link types with timestamp resolutions
// and offsets, Enhanced, Simple and obsolete Packet Blocks, and blocks a reader must skip.

#include "packet_builder.hpp"

#include <cstdint>
#include <span>
#include <string>

namespace netmap::testgen {

/// One interface's description.
struct PcapngInterface {
  Link link = Link::Ethernet;
  std::uint32_t snaplen = 262144;
  std::int16_t tsresol = -1;   ///< if_tsresol byte (e.g. 9 = ns, 0x80 | 20 = 2^-20 s); -1: none
  std::int64_t tsoffset = 0;   ///< if_tsoffset seconds; 0: none
};

/// A pcapng file under construction.
class PcapngBuilder {
public:
  /// Starts a section (a file may hold several), big-endian or little-endian.
  PcapngBuilder& section(bool big_endian = false);
  /// Describes the next interface of the current section (IDs count from 0 per section).
  PcapngBuilder& interface(const PcapngInterface& i);
  /// An Enhanced Packet Block on interface `id`, timestamp in the interface's units.
  PcapngBuilder& enhanced(std::uint32_t id, std::uint64_t ts, std::span<const std::uint8_t> frame);
  /// A Simple Packet Block (interface 0, no timestamp).
  PcapngBuilder& simple(std::span<const std::uint8_t> frame);
  /// An obsolete Packet Block on interface `id`.
  PcapngBuilder& obsolete(std::uint16_t id, std::uint64_t ts, std::span<const std::uint8_t> frame);
  /// A block of another type (statistics, name resolution, custom…) with `body`.
  PcapngBuilder& other(std::uint32_t type, std::span<const std::uint8_t> body);
  /// The file so far.
  [[nodiscard]] const Bytes& bytes() const noexcept { return m_out; }
  /// Writes the file to `path`; throws std::runtime_error.
  void save(const std::string& path) const;

private:
  void block(std::uint32_t type, const Bytes& body);
  void u16(Bytes& b, std::uint16_t v) const;
  void u32(Bytes& b, std::uint32_t v) const;
  void frame_data(Bytes& b, std::span<const std::uint8_t> frame) const;

  Bytes m_out;
  bool m_big = false;
};

} // namespace netmap::testgen
