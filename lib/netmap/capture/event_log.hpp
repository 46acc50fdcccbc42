#pragma once
// --events: contacts streamed as JSON Lines into a temporary file beside the target, renamed into
// place only by commit(), so an interrupted or failed run never leaves a half-written file. A FIFO
// or a device (/dev/stdout) is streamed to in place (base::OutputFile).

#include "netmap/base/error.hpp"
#include "netmap/base/output_file.hpp"
#include "netmap/inventory/event.hpp"

#include <cstdio>
#include <optional>
#include <string>

namespace netmap::capture {

/// A JSON Lines event file written atomically. Move-only; discards the temporary unless committed.
class EventLog {
public:
  /// Starts writing toward `path` ("-" streams to stdout). Throws base::UserError when it cannot.
  explicit EventLog(std::string path);
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;
  ~EventLog();

  /// Appends one event as a line. Throws base::UserError on a write error (disk full).
  void write(const inventory::Event& e);
  /// Hands what is buffered to the kernel (a streamed log shows it at once). Throws base::UserError.
  void flush();
  /// write() for a log that must not stop its run: a failure is kept instead of thrown, the
  /// partial file is removed at once, later lines are dropped, and commit() throws the failure.
  /// False once the log has failed.
  bool try_write(const inventory::Event& e) noexcept;
  /// flush() with the failure kept the same way.
  bool try_flush() noexcept;
  /// Flushes, syncs and renames the file into place; throws base::UserError, or the failure a
  /// try_ call kept.
  void commit();
  /// Lines written so far.
  [[nodiscard]] std::uint64_t lines() const noexcept { return m_lines; }

private:
  template <class F> bool keep_failure(F&& f) noexcept;
  /// Closes and removes the temporary file.
  void discard() noexcept;
  std::string m_path; ///< as named, for messages ("-" is standard output)
  std::optional<base::OutputFile> m_out; ///< where the lines go; empty for "-"
  std::FILE* m_file = nullptr;
  std::uint64_t m_lines = 0;
  std::string m_failure; ///< the error a try_ call kept
};

} // namespace netmap::capture
