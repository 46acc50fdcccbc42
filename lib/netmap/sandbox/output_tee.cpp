#include "netmap/sandbox/output_tee.hpp"

#include "netmap/base/clock.hpp"
#include "netmap/base/sched_slice.hpp"

#include <cerrno>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace netmap::sandbox {

namespace {

// Writes all of `data`; false when the sink is gone (EPIPE: the user's pager quit), after which
// the stream is still read and scanned but no longer copied.
bool write_all(int fd, const char* data, std::size_t len) {
  while (len > 0) {
    ssize_t n = ::write(fd, data, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    len -= static_cast<std::size_t>(n);
  }
  return true;
}

} // namespace

OutputTee::OutputTee(std::vector<TeeStream> streams, LineHandler on_line, std::size_t max_line)
    : m_streams(std::move(streams)), m_partial(m_streams.size()), m_started(m_streams.size(), 0), m_on_line(std::move(on_line)),
      m_max_line(max_line),
      m_wake(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)), m_done(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  m_thread = std::thread([this] { loop(); });
}

OutputTee::~OutputTee() { finish(0); }

bool OutputTee::finish(int timeout_ms) {
  if (!m_thread.joinable()) return m_eof.load();
  // The loop ends by itself at the last end of file; past the deadline it is told to stop.
  std::int64_t deadline = base::monotonic_ns() + std::int64_t{timeout_ms} * 1'000'000;
  for (std::int64_t left = timeout_ms; left > 0; left = (deadline - base::monotonic_ns()) / 1'000'000) {
    pollfd p{m_done.get(), POLLIN, 0};
    int n = ::poll(&p, 1, static_cast<int>(left));
    if (n > 0 || (n < 0 && errno != EINTR)) break;
  }
  std::uint64_t one = 1;
  (void)!::write(m_wake.get(), &one, sizeof one);
  m_thread.join();
  return m_eof.load();
}

void OutputTee::loop() {
  // Lines are timed when this thread reads them, and replay ties refusals to tests by those
  // times: a short slice has it read soon after a write even when the build keeps the CPUs busy.
  base::request_slice();
  std::vector<char> buf(65536);
  std::size_t open = m_streams.size();
  while (open > 0) {
    std::vector<pollfd> p;
    std::vector<std::size_t> idx;
    for (std::size_t i = 0; i < m_streams.size(); ++i)
      if (m_streams[i].source) {
        p.push_back({m_streams[i].source.get(), POLLIN, 0});
        idx.push_back(i);
      }
    p.push_back({m_wake.get(), POLLIN, 0});
    int n = ::poll(p.data(), p.size(), -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || (p.back().revents & POLLIN) != 0) break;
    for (std::size_t k = 0; k + 1 < p.size(); ++k) {
      if (p[k].revents == 0) continue;
      TeeStream& s = m_streams[idx[k]];
      ssize_t got = ::read(s.source.get(), buf.data(), buf.size());
      if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (got <= 0) {
        s.source.reset();
        --open;
        continue;
      }
      const std::int64_t now = base::now_unix_us(); // before the copy, which may wait on a slow sink
      auto len = static_cast<std::size_t>(got);
      m_bytes.fetch_add(len);
      if (s.sink >= 0 && !write_all(s.sink, buf.data(), len)) s.sink = -1;
      std::string& part = m_partial[idx[k]];
      std::int64_t& started = m_started[idx[k]];
      for (std::size_t i = 0; i < len; ++i) {
        if (buf[i] == '\n' || part.size() >= m_max_line) {
          m_on_line(part, part.empty() ? now : started);
          part.clear();
          if (buf[i] == '\n') continue;
        }
        if (part.empty()) started = now;
        part += buf[i];
      }
    }
  }
  m_eof.store(open == 0);
  for (std::size_t i = 0; i < m_partial.size(); ++i)
    if (!m_partial[i].empty()) m_on_line(m_partial[i], m_started[i]);
  std::uint64_t one = 1;
  (void)!::write(m_done.get(), &one, sizeof one);
}

} // namespace netmap::sandbox
