#pragma once
// Whole files written whole or not at all (through OutputFile: a temporary beside the target,
// fsync, then rename; devices and FIFOs in place), and files read with a bound.

#include <functional>
#include <string>
#include <string_view>

namespace netmap::base {

/// Writes `content` to `path` atomically, keeping an existing file's mode (and owner where
/// permitted); a symbolic link is written through to the file it names, a device or FIFO
/// (/dev/null, /dev/stdout) is written in place. "-" writes to stdout. Throws UserError naming
/// the path ("standard output" for "-") when the write fails.
void write_file_atomic(const std::string& path, std::string_view content);

/// Fails now, with the error write_file_atomic() would give later, when `path` cannot be written
/// (missing or read-only directory, a directory in its place); "-" and "" always pass. For
/// outputs written after a long run, so a typo costs nothing but the error.
void require_writable(const std::string& path);

/// Reads a whole file ("-" is stdin); throws UserError naming the path when it cannot, or when it
/// holds more than `max_bytes` (a wrong path such as /dev/zero must not eat the machine's memory).
[[nodiscard]] std::string read_file(const std::string& path, std::size_t max_bytes);

/// read_file() that asks `wrong_start` about the text read so far after each read of the first
/// 64 KiB, and stops reading once it says yes: the caller's parser then refuses the start, and a
/// wrong file (a 500 MB capture given as an inventory) costs one read instead of all of it.
[[nodiscard]] std::string read_file(const std::string& path, std::size_t max_bytes,
                                    const std::function<bool(std::string_view)>& wrong_start);

} // namespace netmap::base
