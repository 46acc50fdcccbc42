#include "netmap/capture/pcap_file.hpp"

#include "netmap/base/byte_reader.hpp"
#include "netmap/base/capture_magic.hpp"

#include <algorithm>
#include <optional>
#include <span>
#include <string>

namespace netmap::capture {

namespace {

constexpr std::size_t k_file_header = 24;
constexpr std::size_t k_record_header = 16;
// libpcap's MAXIMUM_SNAPLEN: a longer record is corrupt for every link type netmap reads.
constexpr std::uint32_t k_max_caplen = 262144;

// A header field in the file's byte order (the order its magic number was written in).
std::optional<std::uint32_t> u32(base::ByteReader& r, bool big_endian) noexcept {
  return big_endian ? r.u32be() : r.u32le();
}

} // namespace

std::unique_ptr<PcapFile> PcapFile::open(const std::string& path) {
  auto file = std::make_unique<FileWindow>(path, k_file_header);
  std::uint8_t head[k_file_header];
  if (!file->is_open() || !file->read(0, head, sizeof head)) return nullptr;
  std::unique_ptr<PcapFile> f(new PcapFile(std::move(file)));
  base::ByteReader be{std::span<const std::uint8_t>(head)};
  const std::uint32_t magic = be.u32be().value_or(0);
  const std::uint32_t swapped = __builtin_bswap32(magic);
  if (magic == base::k_pcap_magic_us || magic == base::k_pcap_magic_ns) f->m_big_endian = true;
  else if (swapped == base::k_pcap_magic_us || swapped == base::k_pcap_magic_ns) f->m_big_endian = false;
  else return nullptr; // pcapng, or not a capture: another reader or libpcap says which
  f->m_nanoseconds = magic == base::k_pcap_magic_ns || swapped == base::k_pcap_magic_ns;
  base::ByteReader r{std::span<const std::uint8_t>(head).subspan(4)};
  const bool big = f->m_big_endian;
  auto major = big ? r.u16be() : r.u16le();
  auto minor = big ? r.u16be() : r.u16le();
  // Versions before 2.3 swapped caplen and len: rare enough to leave to libpcap.
  if (major != 2 || minor != 4 || !r.skip(8)) return nullptr;
  auto snaplen = u32(r, big);
  auto linktype = u32(r, big);
  if (!snaplen || !linktype) return nullptr;
  f->m_snaplen = *snaplen == 0 || *snaplen > k_max_caplen ? k_max_caplen : *snaplen;
  f->m_linktype = *linktype & 0x03ffffff; // the upper bits say FCS, not type
  f->m_pos = k_file_header;
  return f;
}

PcapFile::~PcapFile() = default;

PcapFile::Status PcapFile::next(PcapRecord& out) {
  const std::uint64_t size = m_file->size();
  if (m_pos >= size) return Status::End;
  const std::uint64_t left = size - m_pos;
  // The same words libpcap uses, so a bad file fails the same way whichever reader saw it.
  if (left < k_record_header) {
    m_error = "truncated dump file; tried to read 16 header bytes, only got " + std::to_string(left);
    m_pos = size;
    return Status::CutShort;
  }
  const std::uint8_t* h = m_file->at(m_pos, k_record_header);
  if (!h) {
    m_error = m_file->error();
    return Status::Error;
  }
  base::ByteReader r{std::span<const std::uint8_t>(h, k_record_header)};
  const auto sec = u32(r, m_big_endian), frac = u32(r, m_big_endian), cap = u32(r, m_big_endian),
             len = u32(r, m_big_endian);
  if (!sec || !frac || !cap || !len) { // cannot happen: the window holds the header
    m_error = "unreadable record header";
    return Status::Error;
  }
  const std::uint32_t caplen = *cap;
  if (caplen > k_max_caplen) {
    m_error = "invalid packet capture length " + std::to_string(caplen) + ", bigger than maximum of " +
              std::to_string(k_max_caplen);
    return Status::Error;
  }
  if (left - k_record_header < caplen) {
    m_error = "truncated dump file; tried to read " + std::to_string(caplen) + " captured bytes, only got " +
              std::to_string(left - k_record_header);
    m_pos = size;
    return Status::CutShort;
  }
  h = m_file->at(m_pos, k_record_header + caplen);
  if (!h) {
    m_error = m_file->error();
    return Status::Error;
  }
  // A record longer than the file's snapshot length is cut to it, as libpcap does.
  out.bytes = {h + k_record_header, std::min(caplen, m_snaplen)};
  out.time_us = std::int64_t{*sec} * 1000000 + (m_nanoseconds ? *frac / 1000 : *frac);
  out.linktype = m_linktype;
  out.wire_len = *len;
  m_pos += k_record_header + caplen;
  m_file->prefetch(m_pos);
  return Status::Packet;
}

} // namespace netmap::capture
