#include "netmap/base/distinct_paths.hpp"

#include "netmap/base/error.hpp"
#include "netmap/base/text.hpp"

#include <climits>
#include <cstdlib>
#include <optional>
#include <sys/stat.h>
#include <vector>

namespace netmap::base {

namespace {

// What identifies a file: its inode when it exists (hard links, symlinks and "./x" agree), else
// its path with the directory resolved (an output not yet written).
struct Identity {
  bool exists = false;
  dev_t dev = 0;
  ino_t ino = 0;
  std::string path;
  bool operator==(const Identity& o) const {
    return exists == o.exists && (exists ? dev == o.dev && ino == o.ino : path == o.path);
  }
};

std::optional<Identity> identity(const std::string& path) {
  if (path.empty() || path == "-") return std::nullopt;
  Identity id;
  struct stat st{};
  if (::stat(path.c_str(), &st) == 0) {
    // Character devices (/dev/null, /dev/stdout) may be named by several flags on purpose.
    if (S_ISCHR(st.st_mode)) return std::nullopt;
    id.exists = true;
    id.dev = st.st_dev;
    id.ino = st.st_ino;
    return id;
  }
  auto slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  std::string leaf = slash == std::string::npos ? path : path.substr(slash + 1);
  char buf[PATH_MAX];
  id.path = (::realpath(dir.c_str(), buf) ? std::string(buf) : dir) + "/" + leaf;
  return id;
}

} // namespace

void require_distinct(std::span<const PathUse> inputs, std::span<const PathUse> outputs) {
  std::vector<std::pair<const PathUse*, std::optional<Identity>>> seen;
  for (const auto& in : inputs) seen.emplace_back(&in, identity(in.path));
  const std::size_t n_inputs = seen.size();
  for (const auto& out : outputs) {
    auto id = identity(out.path);
    if (!id) continue;
    for (std::size_t i = 0; i < seen.size(); ++i) {
      if (!seen[i].second || !(*seen[i].second == *id)) continue;
      const PathUse& other = *seen[i].first;
      const bool input = i < n_inputs;
      throw UserError(out.flag + " " + printable(out.path) + " is the file " + (input ? "read as " : "also written by ") +
                          other.flag + (other.path == out.path ? "" : " (" + printable(other.path) + ")"),
                      input ? "write the output to another file; the input would be replaced"
                            : "give each output its own file");
    }
    seen.emplace_back(&out, id);
  }
}

} // namespace netmap::base
