#include "netmap/base/atomic_file.hpp"

#include "netmap/base/error.hpp"
#include "netmap/base/fd.hpp"
#include "netmap/base/output_file.hpp"

#include <cerrno>
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

} // namespace

void require_writable(const std::string& path) {
  if (path.empty() || path == "-") return;
  OutputFile trial(path); // the same temporary the real write makes, removed again
}

void write_file_atomic(const std::string& path, std::string_view content) {
  if (path == "-") {
    std::cout.write(content.data(), static_cast<std::streamsize>(content.size()));
    std::cout.flush();
    // A config piped to a full disk must not pass for written (errno is the failed write's).
    if (!std::cout) throw write_error(path, errno);
    return;
  }
  OutputFile out(path);
  // The temporary exists, and so does a target written in place: no O_CREAT.
  Fd fd(::open(out.write_path().c_str(), O_WRONLY | O_CLOEXEC | (out.in_place() ? O_APPEND : O_TRUNC)));
  if (!fd || !write_all(fd.get(), content)) throw out.error(errno);
  if (::close(fd.release()) != 0) throw out.error(errno);
  out.commit();
}

std::string read_file(const std::string& path, std::size_t max_bytes) { return read_file(path, max_bytes, {}); }

std::string read_file(const std::string& path, std::size_t max_bytes, const std::function<bool(std::string_view)>& wrong_start) {
  constexpr std::size_t k_start = 64 * 1024; // how much of the start `wrong_start` is shown
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
    const bool at_start = out.size() < k_start;
    out.append(buf, static_cast<std::size_t>(n));
    if (at_start && wrong_start && wrong_start(out)) break;
  }
  return out;
}

} // namespace netmap::base
