#pragma once
// Streams a command's output to the user as it comes and hands each complete line to a scanner:
// the `tee` replay needs to match client error messages without keeping the whole output.

#include "netmap/base/fd.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace netmap::sandbox {

/// One stream to copy: read from `source`, write to `sink` (-1: only scan).
struct TeeStream {
  base::Fd source;
  int sink = -1;
};

/// Called with a complete line (without its newline) and the wall-clock time its first byte
/// arrived: a test runner's "test_x ... " line is finished only when the test is.
using LineHandler = std::function<void(std::string_view line, std::int64_t first_byte_us)>;

/// Copies each stream on its own thread-free poll loop; calls `on_line` (from that one thread,
/// never concurrently) with each complete line of any stream. Lines longer than `max_line` bytes
/// are passed in pieces of that size.
class OutputTee {
public:
  /// Starts copying at once.
  OutputTee(std::vector<TeeStream> streams, LineHandler on_line, std::size_t max_line = 8192);
  /// Stops (see stop()) and joins.
  ~OutputTee();
  OutputTee(const OutputTee&) = delete;
  OutputTee& operator=(const OutputTee&) = delete;

  /// Waits until every source reached end of file, or `timeout_ms` passed; then stops copying
  /// and passes any unterminated last lines. True when every source ended by itself.
  bool finish(int timeout_ms);
  /// Bytes copied in all.
  [[nodiscard]] std::uint64_t bytes() const noexcept { return m_bytes.load(); }

private:
  void loop();
  std::vector<TeeStream> m_streams;
  std::vector<std::string> m_partial;
  std::vector<std::int64_t> m_started; // when each stream's partial line began
  LineHandler m_on_line;
  std::size_t m_max_line;
  base::Fd m_wake;
  base::Fd m_done; // readable once loop() has ended: finish() waits on it, not in a sleep loop
  std::atomic<bool> m_eof{false};
  std::atomic<std::uint64_t> m_bytes{0};
  std::thread m_thread;
};

} // namespace netmap::sandbox
