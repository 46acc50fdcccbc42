#include "pcapng_builder.hpp"

#include <fstream>
#include <stdexcept>

namespace netmap::testgen {

void PcapngBuilder::u16(Bytes& b, std::uint16_t v) const {
  if (m_big) b.insert(b.end(), {static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)});
  else b.insert(b.end(), {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8)});
}

void PcapngBuilder::u32(Bytes& b, std::uint32_t v) const {
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(m_big ? v >> (24 - 8 * i) : v >> (8 * i)));
}

void PcapngBuilder::frame_data(Bytes& b, std::span<const std::uint8_t> frame) const {
  b.insert(b.end(), frame.begin(), frame.end());
  b.resize((b.size() + 3) & ~std::size_t{3}, 0);
}

void PcapngBuilder::block(std::uint32_t type, const Bytes& body) {
  const auto total = static_cast<std::uint32_t>(12 + ((body.size() + 3) & ~std::size_t{3}));
  u32(m_out, type);
  u32(m_out, total);
  m_out.insert(m_out.end(), body.begin(), body.end());
  m_out.resize(m_out.size() + (total - 12 - body.size()), 0);
  u32(m_out, total);
}

PcapngBuilder& PcapngBuilder::section(bool big_endian) {
  m_big = big_endian;
  Bytes b;
  u32(b, 0x1a2b3c4d);
  u16(b, 1);
  u16(b, 0);
  u32(b, 0xffffffff); // section length: unknown
  u32(b, 0xffffffff);
  block(0x0a0d0d0a, b);
  return *this;
}

PcapngBuilder& PcapngBuilder::interface(const PcapngInterface& i) {
  Bytes b;
  u16(b, static_cast<std::uint16_t>(i.link));
  u16(b, 0);
  u32(b, i.snaplen);
  if (i.tsresol >= 0) {
    u16(b, 9);
    u16(b, 1);
    b.insert(b.end(), {static_cast<std::uint8_t>(i.tsresol), 0, 0, 0});
  }
  if (i.tsoffset != 0) {
    u16(b, 14);
    u16(b, 8);
    const auto v = static_cast<std::uint64_t>(i.tsoffset);
    if (m_big) {
      u32(b, static_cast<std::uint32_t>(v >> 32));
      u32(b, static_cast<std::uint32_t>(v));
    } else {
      u32(b, static_cast<std::uint32_t>(v));
      u32(b, static_cast<std::uint32_t>(v >> 32));
    }
  }
  u16(b, 0); // opt_endofopt
  u16(b, 0);
  block(1, b);
  return *this;
}

PcapngBuilder& PcapngBuilder::enhanced(std::uint32_t id, std::uint64_t ts, std::span<const std::uint8_t> frame) {
  Bytes b;
  u32(b, id);
  u32(b, static_cast<std::uint32_t>(ts >> 32));
  u32(b, static_cast<std::uint32_t>(ts));
  u32(b, static_cast<std::uint32_t>(frame.size()));
  u32(b, static_cast<std::uint32_t>(frame.size()));
  frame_data(b, frame);
  block(6, b);
  return *this;
}

PcapngBuilder& PcapngBuilder::simple(std::span<const std::uint8_t> frame) {
  Bytes b;
  u32(b, static_cast<std::uint32_t>(frame.size()));
  frame_data(b, frame);
  block(3, b);
  return *this;
}

PcapngBuilder& PcapngBuilder::obsolete(std::uint16_t id, std::uint64_t ts, std::span<const std::uint8_t> frame) {
  Bytes b;
  u16(b, id);
  u16(b, 0); // drops count
  u32(b, static_cast<std::uint32_t>(ts >> 32));
  u32(b, static_cast<std::uint32_t>(ts));
  u32(b, static_cast<std::uint32_t>(frame.size()));
  u32(b, static_cast<std::uint32_t>(frame.size()));
  frame_data(b, frame);
  block(2, b);
  return *this;
}

PcapngBuilder& PcapngBuilder::other(std::uint32_t type, std::span<const std::uint8_t> body) {
  block(type, Bytes(body.begin(), body.end()));
  return *this;
}

void PcapngBuilder::save(const std::string& path) const {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(m_out.data()), static_cast<std::streamsize>(m_out.size()));
  if (!f.flush()) throw std::runtime_error(path + ": could not write");
}

} // namespace netmap::testgen
