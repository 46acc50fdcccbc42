#include "pcap_writer.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace netmap::testgen {
namespace {

void le32(std::vector<std::uint8_t>& b, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void le16(std::vector<std::uint8_t>& b, std::uint32_t v) {
  b.push_back(static_cast<std::uint8_t>(v));
  b.push_back(static_cast<std::uint8_t>(v >> 8));
}

} // namespace

PcapWriter::PcapWriter(const std::string& path, Link link, CaptureFormat format, std::uint32_t snaplen)
    : m_path(path), m_tmp(path + ".tmp"), m_format(format), m_snaplen(snaplen) {
  m_file = std::fopen(m_tmp.c_str(), "wb");
  if (m_file == nullptr) throw std::runtime_error(m_tmp + ": " + std::strerror(errno));
  std::setvbuf(m_file, nullptr, _IOFBF, 1 << 20);
  std::vector<std::uint8_t> h;
  auto linktype = static_cast<std::uint32_t>(link);
  if (format == CaptureFormat::Pcap) { // the classic header, microsecond timestamps, host = LE
    le32(h, 0xa1b2c3d4);
    le16(h, 2);
    le16(h, 4);
    le32(h, 0);
    le32(h, 0);
    le32(h, snaplen);
    le32(h, linktype);
  } else { // pcapng: Section Header Block, then one Interface Description Block
    le32(h, 0x0a0d0d0a);
    le32(h, 28);
    le32(h, 0x1a2b3c4d);
    le16(h, 1);
    le16(h, 0);
    le32(h, 0xffffffff);
    le32(h, 0xffffffff);
    le32(h, 28);
    le32(h, 1);
    le32(h, 20);
    le16(h, linktype);
    le16(h, 0);
    le32(h, snaplen);
    le32(h, 20);
  }
  put(h.data(), h.size());
}

PcapWriter::~PcapWriter() {
  if (m_file != nullptr) {
    std::fclose(m_file);
    std::remove(m_tmp.c_str());
  }
}

void PcapWriter::put(const void* p, std::size_t n) {
  if (std::fwrite(p, 1, n, m_file) != n) throw std::runtime_error(m_tmp + ": write failed");
}

void PcapWriter::write(std::int64_t time_us, std::span<const std::uint8_t> frame) {
  auto orig = static_cast<std::uint32_t>(frame.size());
  std::uint32_t incl = orig < m_snaplen ? orig : m_snaplen;
  std::uint8_t h[28];
  std::vector<std::uint8_t> b;
  b.reserve(28);
  auto t = static_cast<std::uint64_t>(time_us);
  if (m_format == CaptureFormat::Pcap) {
    le32(b, static_cast<std::uint32_t>(t / 1000000));
    le32(b, static_cast<std::uint32_t>(t % 1000000));
    le32(b, incl);
    le32(b, orig);
  } else { // Enhanced Packet Block, padded to 32 bits
    std::uint32_t padded = (incl + 3) & ~3u;
    le32(b, 6);
    le32(b, 32 + padded);
    le32(b, 0);
    le32(b, static_cast<std::uint32_t>(t >> 32));
    le32(b, static_cast<std::uint32_t>(t & 0xffffffff));
    le32(b, incl);
    le32(b, orig);
  }
  std::memcpy(h, b.data(), b.size());
  put(h, b.size());
  put(frame.data(), incl);
  if (m_format == CaptureFormat::Pcapng) {
    std::uint32_t padded = (incl + 3) & ~3u;
    static const std::uint8_t zeros[4] = {};
    put(zeros, padded - incl);
    std::vector<std::uint8_t> tail;
    le32(tail, 32 + padded);
    put(tail.data(), tail.size());
  }
  ++m_count;
}

void PcapWriter::close() {
  if (m_file == nullptr) return;
  bool ok = std::fflush(m_file) == 0;
  ok = std::fclose(m_file) == 0 && ok;
  m_file = nullptr;
  if (!ok || std::rename(m_tmp.c_str(), m_path.c_str()) != 0) {
    std::remove(m_tmp.c_str());
    throw std::runtime_error(m_path + ": could not write");
  }
}

} // namespace netmap::testgen
