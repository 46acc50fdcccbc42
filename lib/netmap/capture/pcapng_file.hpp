#pragma once
// A pcapng file (what dumpcap, tshark and Wireshark write by default) read through a sliding memory
// map. Each packet carries its own interface's link type and timestamp resolution, so a capture of
// several interfaces of different types (dumpcap -i lo -i tun0) reads as tshark reads it; libpcap
// refuses such files. Sections (SHB, either byte order) may follow each other; Enhanced, Simple and
// obsolete Packet Blocks are read, every other block is skipped.

#include "netmap/capture/file_window.hpp"
#include "netmap/capture/pcap_file.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace netmap::capture {

/// A mapped pcapng file.
class PcapngFile {
public:
  /// What next() found (as PcapFile::Status: after CutShort, next() says End).
  using Status = PcapFile::Status;

  /// Opens `path` if it is a regular file that begins with a pcapng Section Header Block whose
  /// header reads; nullptr otherwise (libpcap then says what is wrong).
  [[nodiscard]] static std::unique_ptr<PcapngFile> open(const std::string& path);
  PcapngFile(const PcapngFile&) = delete;
  PcapngFile& operator=(const PcapngFile&) = delete;
  ~PcapngFile();

  /// The LINKTYPE_ value of every interface described before the first packet, in file order
  /// (later sections' interfaces are learnt as they come).
  [[nodiscard]] const std::vector<std::uint32_t>& first_linktypes() const noexcept { return m_first_linktypes; }
  /// The next packet record; on CutShort and Error, `error()` says what is wrong.
  [[nodiscard]] Status next(PcapRecord& out);
  /// Why the last next() failed.
  [[nodiscard]] const std::string& error() const noexcept { return m_error; }

private:
  /// One Interface Description Block's reading rules.
  struct Interface {
    std::uint32_t linktype = 0;
    std::uint32_t snaplen = 0;   ///< 0: none
    bool binary = false;         ///< if_tsresol: units are 2^-exponent seconds, else 10^-exponent
    std::uint8_t exponent = 6;
    std::int64_t offset_s = 0;   ///< if_tsoffset, added to every timestamp
  };

  explicit PcapngFile(std::unique_ptr<FileWindow> file) noexcept : m_file(std::move(file)) {}
  Status fail(Status s, std::string why);
  Status block(std::uint32_t type, const std::uint8_t* body, std::size_t len, PcapRecord& out);
  Status section(const std::uint8_t* body, std::size_t len);
  Status interface(const std::uint8_t* body, std::size_t len);
  Status packet(std::uint32_t type, const std::uint8_t* body, std::size_t len, PcapRecord& out);
  [[nodiscard]] std::int64_t to_us(const Interface& i, std::uint64_t ts) const noexcept;

  std::unique_ptr<FileWindow> m_file;
  std::uint64_t m_pos = 0;           ///< file offset of the next block
  bool m_big_endian = false;         ///< the current section's byte order
  std::vector<Interface> m_interfaces; ///< the current section's, by interface ID
  std::vector<std::uint32_t> m_first_linktypes;
  bool m_peek_only = false;          ///< open(): stop before the first packet block
  std::int64_t m_last_us = 0;        ///< the latest timestamp, for Simple Packet Blocks (which have none)
  std::string m_error;
};

} // namespace netmap::capture
