#include "netmap/base/output_file.hpp"

#include "netmap/base/fd.hpp"
#include "netmap/base/text.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>

namespace netmap::base {

namespace {

// Names that reach an already open file through /proc's links (/dev/stdout → /proc/self/fd/1):
// the shell's `>> log` behind them must be written to, not replaced by a renamed file, even
// though the link leads to a regular file.
bool names_an_open_file(std::string_view path) {
  return path == "/dev/stdout" || path == "/dev/stderr" || path.starts_with("/dev/fd/") || path.starts_with("/proc/");
}

// The file a write of `path` replaces: a symbolic link's target (realpath), so that a link in a
// config directory stays a link and the file it names gets the new text.
std::string replaced_path(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return path;
  char* real = ::realpath(path.c_str(), nullptr);
  if (real == nullptr)
    throw UserError("cannot write " + printable(path) + ": it is a symbolic link to a missing file",
                    "remove the link or create its target");
  std::string out(real);
  std::free(real);
  return out;
}

} // namespace

OutputFile::OutputFile(std::string path) : m_path(std::move(path)) {
  struct stat st {};
  const bool exists = ::stat(m_path.c_str(), &st) == 0;
  if (exists && S_ISDIR(st.st_mode)) throw UserError("cannot write " + printable(m_path) + ": it is a directory");
  if ((exists && !S_ISREG(st.st_mode)) || names_an_open_file(m_path)) {
    m_in_place = true;
    m_target = m_write_path = m_path;
    // Not opened here: opening a FIFO for writing waits for its reader.
    if (::access(m_path.c_str(), W_OK) != 0) throw error(errno);
    return;
  }
  m_target = replaced_path(m_path);
  m_write_path = m_target + ".tmp." + std::to_string(::getpid());
  Fd fd(::open(m_write_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd) {
    // When the file itself is there (/proc/version, a file in a read-only directory), the error
    // must say it was the temporary beside it, or "No such file or directory" names a file that exists.
    int err = errno;
    if (exists)
      throw UserError("cannot write " + printable(m_path) + ": cannot create a temporary file beside it: " + std::strerror(err),
                      "netmap replaces a file by renaming a new one over it, so its directory must be writable");
    throw error(err);
  }
  m_pending = true;
}

OutputFile::~OutputFile() { discard(); }

void OutputFile::discard() noexcept {
  if (!m_pending) return;
  ::unlink(m_write_path.c_str());
  m_pending = false;
}

UserError write_error(const std::string& path, int err) {
  return UserError("cannot write " + (path == "-" ? std::string("standard output") : printable(path)) + ": " + std::strerror(err));
}

UserError OutputFile::error(int err) const { return write_error(m_path, err); }

void OutputFile::commit() {
  if (m_in_place || !m_pending) return;
  auto fail = [&](int err) {
    discard();
    return error(err);
  };
  // The new file keeps the old one's mode (a 0640 config must not become world-readable) and,
  // where we may, its owner and group; a failed chown leaves ours, as any new file would have.
  if (struct stat old {}; ::stat(m_target.c_str(), &old) == 0 && S_ISREG(old.st_mode)) {
    if (::chown(m_write_path.c_str(), old.st_uid, old.st_gid) != 0) {
      // not permitted (another owner, no privilege): the file is ours, as a new one would be
    }
    if (::chmod(m_write_path.c_str(), old.st_mode & 07777) != 0) throw fail(errno);
  }
  // fsync before rename: otherwise a crash can leave the new name pointing at an empty file.
  Fd fd(::open(m_write_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd || ::fsync(fd.get()) != 0) throw fail(errno);
  fd.reset();
  if (::rename(m_write_path.c_str(), m_target.c_str()) != 0) throw fail(errno);
  m_pending = false;
}

} // namespace netmap::base
