#include "netmap/sandbox/fd_passing.hpp"

#include <cerrno>
#include <cstring>
#include <sys/socket.h>

namespace netmap::sandbox {

namespace {
constexpr std::size_t k_max_fds = 16;
}

std::string send_fds(int sock, const std::vector<int>& fds, const std::string& tag) {
  if (fds.empty() || fds.size() > k_max_fds) return "send_fds: bad fd count";
  std::string payload = tag.empty() ? std::string("fds") : tag;
  iovec iov{payload.data(), payload.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * k_max_fds)] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
  std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
  for (;;) {
    if (::sendmsg(sock, &msg, MSG_NOSIGNAL) >= 0) return {};
    if (errno != EINTR) return std::string("sendmsg: ") + std::strerror(errno);
  }
}

std::optional<std::vector<base::Fd>> receive_fds(int sock, std::size_t max_fds, std::string* tag) {
  char payload[256];
  iovec iov{payload, sizeof payload};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * k_max_fds)] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do {
    n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return std::nullopt;
  std::vector<base::Fd> out;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS || c->cmsg_len < CMSG_LEN(0)) continue;
    std::size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (std::size_t i = 0; i < count; ++i) {
      int fd = -1;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      out.emplace_back(fd); // owned now: closed on every failure path below
    }
  }
  if ((msg.msg_flags & MSG_CTRUNC) != 0 || out.empty() || out.size() > max_fds) return std::nullopt;
  if (tag) tag->assign(payload, static_cast<std::size_t>(n));
  return out;
}

} // namespace netmap::sandbox
