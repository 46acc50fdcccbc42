#pragma once
// A classic pcap file (what tcpdump -w writes) read through a sliding memory map: packets are
// handed out where they lie in the page cache, not copied by read() and again by stdio as
// libpcap does, which was a third of discover's CPU time on large files. Anything else (pcapng,
// stdin, old versions, a --filter) is left to libpcap. A mapped reader faults (SIGBUS) on pages
// past the end of a file truncated under it: each window is checked against the file's size once
// mapped, so only a truncation during the milliseconds one window is read goes unnoticed. The size
// is taken at open: a file still being written is read up to where it ended then.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace netmap::capture {

/// One packet record.
struct PcapRecord {
  std::span<const std::uint8_t> bytes; ///< valid until the next call to next()
  std::int64_t time_us = 0;
};

/// A mapped classic pcap file (version 2.4, micro- or nanosecond timestamps, either byte order).
class PcapFile {
public:
  /// What next() found. CutShort: the file ends partway through a record (its writer was killed,
  /// or it is still being written); the records before it were whole, and next() then says End.
  enum class Status { Packet, End, CutShort, Error };

  /// Opens `path` if it is a regular file in classic pcap format; nullptr otherwise (including
  /// when it cannot be opened: libpcap then reports why).
  [[nodiscard]] static std::unique_ptr<PcapFile> open(const std::string& path);
  PcapFile(const PcapFile&) = delete;
  PcapFile& operator=(const PcapFile&) = delete;
  ~PcapFile();

  /// The file's LINKTYPE_ value (FCS flags removed).
  [[nodiscard]] std::uint32_t linktype() const noexcept { return m_linktype; }
  /// The next record; on CutShort and Error, `error()` says what is wrong, as libpcap would.
  [[nodiscard]] Status next(PcapRecord& out);
  /// Why the last next() failed.
  [[nodiscard]] const std::string& error() const noexcept { return m_error; }

  /// Bytes mapped at once (the window slides through the file).
  static constexpr std::size_t k_window = std::size_t{4} << 20;
  /// How far ahead of the reading position the file is streamed into the CPU cache.
  static constexpr std::size_t k_prefetch = 4096;

private:
  PcapFile(int fd, std::uint64_t size) noexcept : m_fd(fd), m_size(size) {}
  bool map(std::uint64_t offset, std::size_t need);
  void unmap() noexcept;

  int m_fd = -1;
  std::uint64_t m_size = 0;        ///< file size at open
  std::uint64_t m_pos = 0;         ///< file offset of the next record
  std::uint64_t m_map_offset = 0;  ///< file offset of the window
  std::uint64_t m_prefetched = 0;  ///< file offset up to which lines were prefetched
  const std::uint8_t* m_map = nullptr;
  std::size_t m_map_len = 0;
  std::uint32_t m_linktype = 0;
  std::uint32_t m_snaplen = 0;
  bool m_big_endian = false;       ///< the file's byte order (from its magic number)
  bool m_nanoseconds = false;
  std::string m_error;
};

} // namespace netmap::capture
