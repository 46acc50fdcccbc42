#pragma once
// A directory of a test's own under TMPDIR, removed with everything in it when the test ends.

#include <string>

namespace netmap::test {

/// mkdtemp() under TMPDIR (else /tmp); `path` is empty when it could not be made.
struct ScratchDir {
  std::string path;
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  /// `path` + "/" + `name`.
  [[nodiscard]] std::string file(const std::string& name) const { return path + "/" + name; }
};

/// `name` in one scratch directory for the whole test binary, removed at exit even when a test
/// stopped midway.
[[nodiscard]] std::string scratch_file(const std::string& name);

} // namespace netmap::test
