#include "scratch_dir_helpers.hpp"

#include <cstdlib>
#include <filesystem>
#include <system_error>

#include <unistd.h>

namespace netmap::test {

ScratchDir::ScratchDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/netmap-test.XXXXXX";
  if (::mkdtemp(tmpl.data())) path = tmpl;
}

std::string scratch_file(const std::string& name) {
  static const ScratchDir dir;
  return dir.file(name);
}

ScratchDir::~ScratchDir() {
  std::error_code ec; // a test that failed midway may have left anything there
  if (!path.empty()) std::filesystem::remove_all(path, ec);
}

} // namespace netmap::test
