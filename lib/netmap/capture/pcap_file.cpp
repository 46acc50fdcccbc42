#include "netmap/capture/pcap_file.hpp"

#include "netmap/base/byte_reader.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <span>
#include <string>

namespace netmap::capture {

namespace {

constexpr std::uint32_t k_magic_us = 0xa1b2c3d4;
constexpr std::uint32_t k_magic_ns = 0xa1b23c4d;
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
  if (path == "-") return nullptr;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  struct stat st {};
  std::uint8_t head[k_file_header];
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || static_cast<std::size_t>(st.st_size) < k_file_header ||
      ::pread(fd, head, sizeof head, 0) != static_cast<ssize_t>(sizeof head)) {
    ::close(fd);
    return nullptr;
  }
  std::unique_ptr<PcapFile> f(new PcapFile(fd, static_cast<std::uint64_t>(st.st_size)));
  base::ByteReader be{std::span<const std::uint8_t>(head)};
  const std::uint32_t magic = be.u32be().value_or(0);
  if (magic == k_magic_us || magic == k_magic_ns) f->m_big_endian = true;
  else if (__builtin_bswap32(magic) == k_magic_us || __builtin_bswap32(magic) == k_magic_ns) f->m_big_endian = false;
  else return nullptr; // pcapng, or not a capture: libpcap says which
  f->m_nanoseconds = magic == k_magic_ns || __builtin_bswap32(magic) == k_magic_ns;
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

PcapFile::~PcapFile() {
  unmap();
  if (m_fd >= 0) ::close(m_fd);
}

void PcapFile::unmap() noexcept {
  if (m_map) ::munmap(const_cast<std::uint8_t*>(m_map), m_map_len);
  m_map = nullptr;
  m_map_len = 0;
}

// Maps a window holding [offset, offset + need) (need ≤ what is left of the file). The window is
// unmapped as it slides, so the file's pages never add up in the process's resident set.
bool PcapFile::map(std::uint64_t offset, std::size_t need) {
  unmap();
  static const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  const std::uint64_t start = offset - offset % page;
  std::uint64_t len = std::max<std::uint64_t>(k_window, offset - start + need);
  if (start + len > m_size) len = m_size - start;
  void* p = ::mmap(nullptr, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, m_fd, static_cast<off_t>(start));
  if (p == MAP_FAILED) return false;
  m_map = static_cast<const std::uint8_t*>(p);
  m_map_len = len;
  m_map_offset = start;
  // A mapped page past the end of a file that shrank faults (SIGBUS): check each window after
  // mapping it, which leaves only the few milliseconds of reading one window exposed.
  struct stat st {};
  if (::fstat(m_fd, &st) != 0 || static_cast<std::uint64_t>(st.st_size) < start + len) {
    unmap();
    errno = ESTALE;
    return false;
  }
  return true;
}

PcapFile::Status PcapFile::next(PcapRecord& out) {
  if (m_pos >= m_size) return Status::End;
  const std::uint64_t left = m_size - m_pos;
  // The same words libpcap uses, so a bad file fails the same way whichever reader saw it.
  if (left < k_record_header) {
    m_error = "truncated dump file; tried to read 16 header bytes, only got " + std::to_string(left);
    m_pos = m_size;
    return Status::CutShort;
  }
  auto ensure = [&](std::size_t need) {
    if (m_map && m_pos >= m_map_offset && m_pos + need <= m_map_offset + m_map_len) return true;
    if (map(m_pos, need)) return true;
    m_error = errno == ESTALE ? std::string("the file shrank while it was being read")
                              : std::string("cannot map the file: ") + std::strerror(errno);
    return false;
  };
  if (!ensure(k_record_header)) return Status::Error;
  const std::uint8_t* h = m_map + (m_pos - m_map_offset);
  base::ByteReader r{std::span<const std::uint8_t>(h, k_record_header)};
  const auto sec = u32(r, m_big_endian), frac = u32(r, m_big_endian), cap = u32(r, m_big_endian);
  if (!sec || !frac || !cap) { // cannot happen: the window holds the header
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
    m_pos = m_size;
    return Status::CutShort;
  }
  if (!ensure(k_record_header + caplen)) return Status::Error;
  h = m_map + (m_pos - m_map_offset);
  // A record longer than the file's snapshot length is cut to it, as libpcap does.
  out.bytes = {h + k_record_header, std::min(caplen, m_snaplen)};
  out.time_us = std::int64_t{*sec} * 1000000 + (m_nanoseconds ? *frac / 1000 : *frac);
  m_pos += k_record_header + caplen;
  // The file is in the page cache, not the CPU's, and where the next record starts is known only
  // from this one's header: a memory stall per packet. Streaming the lines a few KiB ahead into
  // the cache hides it (what read() did, with a copy).
  const std::uint64_t until = std::min(m_pos + k_prefetch, m_map_offset + m_map_len);
  if (m_prefetched < m_pos) m_prefetched = m_pos;
  for (; m_prefetched < until; m_prefetched += 64) __builtin_prefetch(m_map + (m_prefetched - m_map_offset));
  return Status::Packet;
}

} // namespace netmap::capture
