#pragma once
// An owned file descriptor, closed exactly once.

#include <unistd.h>
#include <utility>

namespace netmap::base {

/// Owns a file descriptor; -1 means none.
class Fd {
public:
  Fd() noexcept = default;
  /// Takes ownership of `fd`.
  explicit Fd(int fd) noexcept : m_fd(fd) {}
  Fd(Fd&& o) noexcept : m_fd(std::exchange(o.m_fd, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      reset();
      m_fd = std::exchange(o.m_fd, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }

  /// The descriptor, still owned.
  [[nodiscard]] int get() const noexcept { return m_fd; }
  /// Gives up ownership.
  [[nodiscard]] int release() noexcept { return std::exchange(m_fd, -1); }
  /// Closes the descriptor (if any) and takes `fd`.
  void reset(int fd = -1) noexcept {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = fd;
  }
  explicit operator bool() const noexcept { return m_fd >= 0; }

private:
  int m_fd = -1;
};

} // namespace netmap::base
