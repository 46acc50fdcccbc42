#pragma once
// Files are written whole or not at all: a temporary beside the target, fsync, then rename.

#include <string>
#include <string_view>

namespace netmap::base {

/// Writes `content` to `path` atomically; "-" writes to stdout. Throws UserError naming the path.
void write_file_atomic(const std::string& path, std::string_view content);

/// Reads a whole file ("-" is stdin); throws UserError naming the path when it cannot.
[[nodiscard]] std::string read_file(const std::string& path);

} // namespace netmap::base
