#include "netmap/base/atomic_file.hpp"

#include "netmap/base/error.hpp"
#include "netmap/base/fd.hpp"
#include "netmap/base/text.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <iostream>
#include <iterator>
#include <unistd.h>

namespace netmap::base {

namespace {

bool write_all(int fd, std::string_view content) {
  while (!content.empty()) {
    ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    content.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// The file a write of `path` replaces: a symbolic link's target (realpath), so that a link in a
// config directory stays a link and the file it names gets the new text.
std::string replaced_path(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return path;
  char* real = ::realpath(path.c_str(), nullptr);
  if (real == nullptr) throw UserError("cannot write " + path + ": it is a symbolic link to a missing file", "remove the link or create its target");
  std::string out(real);
  std::free(real);
  return out;
}

// Opens the temporary a write of `path` goes through. When that fails but the file itself is
// there (/proc/version, a file in a read-only directory), the error must say it was the
// temporary beside it, or "No such file or directory" names a file that exists.
Fd open_temp(const std::string& tmp, const std::string& path) {
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (fd) return fd;
  int err = errno;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0)
    throw UserError("cannot write " + printable(path) + ": cannot create a temporary file beside it: " + std::strerror(err),
                    "netmap replaces a file by renaming a new one over it, so its directory must be writable");
  throw UserError("cannot write " + printable(path) + ": " + std::strerror(err));
}

} // namespace

std::string temp_path(const std::string& path) { return path + ".tmp." + std::to_string(::getpid()); }

void require_writable(const std::string& path) {
  if (path.empty() || path == "-") return;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) throw UserError("cannot write " + path + ": it is a directory");
  // The same temporary the real write makes: the same directory, permissions and file system.
  std::string tmp = temp_path(replaced_path(path));
  Fd fd = open_temp(tmp, path);
  ::unlink(tmp.c_str());
}

void write_file_atomic(const std::string& path, std::string_view content) {
  if (path == "-") {
    std::cout.write(content.data(), static_cast<std::streamsize>(content.size()));
    std::cout.flush();
    // A config piped to a full disk must not pass for written (errno is the failed write's).
    if (!std::cout) throw UserError(std::string("cannot write standard output: ") + std::strerror(errno));
    return;
  }
  const std::string target = replaced_path(path);
  std::string tmp = temp_path(target);
  Fd fd = open_temp(tmp, path);
  // The new file keeps the old one's mode (a 0640 config must not become world-readable) and,
  // where we may, its owner and group; a failed chown leaves ours, as any new file would have.
  if (struct stat old {}; ::stat(target.c_str(), &old) == 0 && S_ISREG(old.st_mode)) {
    if (::fchown(fd.get(), old.st_uid, old.st_gid) != 0) {
      // not permitted (another owner, no privilege): the file is ours, as a new one would be
    }
    if (::fchmod(fd.get(), old.st_mode & 07777) != 0) {
      int err = errno;
      ::unlink(tmp.c_str());
      throw UserError("cannot write " + path + ": " + std::strerror(err));
    }
  }
  // fsync before rename: otherwise a crash can leave the new name pointing at an empty file.
  if (!write_all(fd.get(), content) || ::fsync(fd.get()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw UserError("cannot write " + path + ": " + std::strerror(err));
  }
  fd.reset();
  if (::rename(tmp.c_str(), target.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw UserError("cannot write " + path + ": " + std::strerror(err));
  }
}

std::string read_file(const std::string& path, std::size_t max_bytes) {
  Fd opened;
  if (path != "-") {
    opened.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!opened) throw UserError("cannot read " + path + ": " + std::strerror(errno));
  }
  int fd = path == "-" ? STDIN_FILENO : opened.get();
  auto too_big = [&] {
    std::string bound = max_bytes >= (1u << 20) ? std::to_string(max_bytes >> 20) + " MiB" : std::to_string(max_bytes) + " bytes";
    return UserError("cannot read " + path + ": larger than " + bound, "is this the right file?");
  };
  struct stat st {};
  // A file says its size: too big is refused before a byte is read. Pipes and devices
  // (/dev/null for an empty policy) are read up to the bound.
  if (opened && ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && static_cast<std::uint64_t>(st.st_size) > max_bytes)
    throw too_big();
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw UserError("cannot read " + path + ": " + std::strerror(errno));
    }
    if (n == 0) break;
    if (static_cast<std::size_t>(n) > max_bytes - out.size()) throw too_big();
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

} // namespace netmap::base
