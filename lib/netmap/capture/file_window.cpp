#include "netmap/capture/file_window.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace netmap::capture {

FileWindow::FileWindow(const std::string& path, std::uint64_t min_size) {
  if (path == "-") return;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || static_cast<std::uint64_t>(st.st_size) < min_size) {
    ::close(fd);
    return;
  }
  m_fd = fd;
  m_size = static_cast<std::uint64_t>(st.st_size);
}

FileWindow::~FileWindow() {
  unmap();
  if (m_fd >= 0) ::close(m_fd);
}

bool FileWindow::read(std::uint64_t offset, void* out, std::size_t n) const noexcept {
  return m_fd >= 0 && ::pread(m_fd, out, n, static_cast<off_t>(offset)) == static_cast<ssize_t>(n);
}

void FileWindow::unmap() noexcept {
  if (m_map) ::munmap(const_cast<std::uint8_t*>(m_map), m_map_len);
  m_map = nullptr;
  m_map_len = 0;
}

// Maps a window holding [offset, offset + need). The window is unmapped as it slides, so the
// file's pages never add up in the process's resident set.
bool FileWindow::map(std::uint64_t offset, std::size_t need) {
  unmap();
  static const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  const std::uint64_t start = offset - offset % page;
  std::uint64_t len = std::max<std::uint64_t>(k_window, offset - start + need);
  if (start + len > m_size) len = m_size - start;
  void* p = ::mmap(nullptr, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, m_fd, static_cast<off_t>(start));
  if (p == MAP_FAILED) return false;
  m_map = static_cast<const std::uint8_t*>(p);
  m_map_len = len;
  m_map_offset = start;
  // A mapped page past the end of a file that shrank faults (SIGBUS): check each window after
  // mapping it, which leaves only the few milliseconds of reading one window exposed.
  struct stat st {};
  if (::fstat(m_fd, &st) != 0 || static_cast<std::uint64_t>(st.st_size) < start + len) {
    unmap();
    errno = ESTALE;
    return false;
  }
  return true;
}

const std::uint8_t* FileWindow::at(std::uint64_t offset, std::size_t need) {
  if (!(m_map && offset >= m_map_offset && offset + need <= m_map_offset + m_map_len) && !map(offset, need)) {
    m_error = errno == ESTALE ? std::string("the file shrank while it was being read")
                              : std::string("cannot map the file: ") + std::strerror(errno);
    return nullptr;
  }
  return m_map + (offset - m_map_offset);
}

// The file is in the page cache, not the CPU's, and where the next record starts is known only
// from this one's header: a memory stall per packet. Streaming the lines a few KiB ahead into
// the cache hides it (what read() did, with a copy).
void FileWindow::prefetch(std::uint64_t offset) noexcept {
  if (!m_map || offset < m_map_offset) return;
  const std::uint64_t until = std::min(offset + k_prefetch, m_map_offset + m_map_len);
  if (m_prefetched < offset) m_prefetched = offset;
  for (; m_prefetched < until; m_prefetched += 64) __builtin_prefetch(m_map + (m_prefetched - m_map_offset));
}

} // namespace netmap::capture
