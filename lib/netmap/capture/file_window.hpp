#pragma once
// A capture file read through a sliding memory map, shared by the pcap and pcapng readers: records
// are handed out where they lie in the page cache, not copied by read() and again by stdio as
// libpcap does. A mapped page past the end of a file truncated under it faults (SIGBUS): each
// window is checked against the file's size once mapped, so only a truncation during the
// milliseconds one window is read goes unnoticed. The size is taken at open: a file still being
// written is read up to where it ended then.

#include <cstddef>
#include <cstdint>
#include <string>

namespace netmap::capture {

/// A read-only view of a regular file, one window at a time.
class FileWindow {
public:
  /// Opens `path` if it is a regular file of at least `min_size` bytes; fd -1 otherwise.
  explicit FileWindow(const std::string& path, std::uint64_t min_size);
  FileWindow(const FileWindow&) = delete;
  FileWindow& operator=(const FileWindow&) = delete;
  ~FileWindow();

  /// True when the file is open.
  [[nodiscard]] bool is_open() const noexcept { return m_fd >= 0; }
  /// The file's size at open.
  [[nodiscard]] std::uint64_t size() const noexcept { return m_size; }
  /// Reads `n` bytes at `offset` with pread (headers, before any mapping); false if short.
  [[nodiscard]] bool read(std::uint64_t offset, void* out, std::size_t n) const noexcept;
  /// The bytes [offset, offset + need) (need ≤ size() - offset), valid until the next call;
  /// nullptr with error() set when they cannot be mapped or the file shrank.
  [[nodiscard]] const std::uint8_t* at(std::uint64_t offset, std::size_t need);
  /// Streams the window's lines up to k_prefetch bytes past `offset` into the CPU cache.
  void prefetch(std::uint64_t offset) noexcept;
  /// Why the last at() failed.
  [[nodiscard]] const std::string& error() const noexcept { return m_error; }

  /// Bytes mapped at once (the window slides through the file).
  static constexpr std::size_t k_window = std::size_t{4} << 20;
  /// How far ahead of the reading position the file is streamed into the CPU cache.
  static constexpr std::size_t k_prefetch = 4096;

private:
  bool map(std::uint64_t offset, std::size_t need);
  void unmap() noexcept;

  int m_fd = -1;
  std::uint64_t m_size = 0;        ///< file size at open
  std::uint64_t m_map_offset = 0;  ///< file offset of the window
  std::uint64_t m_prefetched = 0;  ///< file offset up to which lines were prefetched
  const std::uint8_t* m_map = nullptr;
  std::size_t m_map_len = 0;
  std::string m_error;
};

} // namespace netmap::capture
