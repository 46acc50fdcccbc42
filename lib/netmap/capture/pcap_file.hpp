#pragma once
// A classic pcap file (what tcpdump -w writes) read through a sliding memory map (file_window.hpp),
// which was a third of discover's CPU time on large files when libpcap copied every record. pcapng
// has its own reader (pcapng_file.hpp); stdin and old versions are left to libpcap.

#include "netmap/capture/file_window.hpp"

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
  std::uint32_t linktype = 0;          ///< LINKTYPE_ value of the record's interface
  std::uint32_t wire_len = 0;          ///< length on the wire (≥ bytes.size() in a sane file)
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

private:
  explicit PcapFile(std::unique_ptr<FileWindow> file) noexcept : m_file(std::move(file)) {}

  std::unique_ptr<FileWindow> m_file;
  std::uint64_t m_pos = 0;         ///< file offset of the next record
  std::uint32_t m_linktype = 0;
  std::uint32_t m_snaplen = 0;
  bool m_big_endian = false;       ///< the file's byte order (from its magic number)
  bool m_nanoseconds = false;
  std::string m_error;
};

} // namespace netmap::capture
