#pragma once
// Streams packets to a pcap (or pcapng) file: constant memory however many packets are written.
// The file appears under its name only when close() succeeds (temp file + rename).

#include "packet_builder.hpp"

#include <cstdint>
#include <cstdio>
#include <span>
#include <string>

namespace netmap::testgen {

/// The file formats written.
enum class CaptureFormat { Pcap, Pcapng };

/// A streaming capture-file writer.
class PcapWriter {
public:
  /// Opens `path` (via a temporary beside it) for frames of `link`; throws std::runtime_error.
  PcapWriter(const std::string& path, Link link, CaptureFormat format = CaptureFormat::Pcap,
             std::uint32_t snaplen = 262144);
  ~PcapWriter();
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;

  /// Writes one frame seen at `time_us`; frames longer than the snaplen are cut (orig len kept).
  void write(std::int64_t time_us, std::span<const std::uint8_t> frame);
  /// Flushes, closes and renames into place; throws std::runtime_error on failure.
  void close();
  /// Frames written.
  [[nodiscard]] std::uint64_t count() const { return m_count; }

private:
  void put(const void* p, std::size_t n);
  std::FILE* m_file = nullptr;
  std::string m_path;
  std::string m_tmp;
  CaptureFormat m_format;
  std::uint32_t m_snaplen;
  std::uint64_t m_count = 0;
};

} // namespace netmap::testgen
