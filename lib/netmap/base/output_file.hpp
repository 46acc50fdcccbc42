#pragma once
// Where an output named on a command line (-o, --events) is written, and how. A regular file (new,
// existing, or named through a symbolic link) gets a temporary beside it that commit() renames
// into place, so a failed or interrupted run leaves the old file or the whole new one. Anything
// else that exists (/dev/null, /dev/stdout, a FIFO, a terminal) is written in place: renaming
// over it would put a plain file where the device was, and a FIFO's reader waits for the bytes.

#include "netmap/base/error.hpp"

#include <string>

namespace netmap::base {

/// "cannot write PATH: strerror(err)", or "cannot write standard output: …" for "-": the one
/// wording of a failed output.
[[nodiscard]] UserError write_error(const std::string& path, int err);

/// One output being written. Not for "-": callers write standard output themselves.
class OutputFile {
public:
  /// Plans the write of `path` and, for a regular file, creates its temporary. Throws UserError
  /// ("cannot write PATH: …", with a hint where one helps) when the path cannot be written.
  explicit OutputFile(std::string path);
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  /// Removes the temporary unless commit() ran.
  ~OutputFile();

  /// Where the bytes go: the temporary, or the target itself when written in place.
  [[nodiscard]] const std::string& write_path() const noexcept { return m_write_path; }
  /// True when the bytes go straight to the target (a device, a FIFO, /dev/stdout). Such a target
  /// is opened for appending, never truncated: behind /dev/stdout may be the shell's `>> log`.
  [[nodiscard]] bool in_place() const noexcept { return m_in_place; }
  /// Makes what was written at write_path() the file: keeps an existing file's mode and, where
  /// permitted, its owner; syncs; renames. Nothing to do in place. Throws UserError.
  void commit();
  /// Removes the temporary now (nothing in place); later calls do nothing.
  void discard() noexcept;
  /// The error for a failed write of this output: "cannot write PATH: strerror(err)".
  [[nodiscard]] UserError error(int err) const;

private:
  std::string m_path;       ///< as the user named it, for messages
  std::string m_target;     ///< the file the rename replaces (a link's target)
  std::string m_write_path; ///< the temporary, or m_path in place
  bool m_in_place = false;
  bool m_pending = false; ///< a temporary exists that commit() or discard() must deal with
};

} // namespace netmap::base
