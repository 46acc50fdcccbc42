#include "netmap/capture/event_log.hpp"

#include "netmap/base/atomic_file.hpp"
#include "netmap/base/error.hpp"
#include "netmap/base/text.hpp"

#include <cerrno>
#include <cstring>
#include <exception>
#include <unistd.h>

namespace netmap::capture {

EventLog::EventLog(std::string path) : m_path(std::move(path)) {
  if (m_path == "-") {
    m_stdout = true;
    m_file = stdout;
    return;
  }
  m_tmp = base::temp_path(m_path);
  m_file = std::fopen(m_tmp.c_str(), "we");
  if (!m_file) throw base::UserError("cannot write " + base::printable(m_path) + ": " + std::strerror(errno));
  // Events come in bursts of short lines; a large buffer keeps the writes few.
  std::setvbuf(m_file, nullptr, _IOFBF, 1 << 20);
}

EventLog::~EventLog() { discard(); }

void EventLog::discard() noexcept {
  if (m_stdout || !m_file) return;
  std::fclose(m_file);
  m_file = nullptr;
  ::unlink(m_tmp.c_str());
}

template <class F> bool EventLog::keep_failure(F&& f) noexcept {
  if (!m_failure.empty()) return false;
  try {
    f();
    return true;
  } catch (const std::exception& x) {
    m_failure = x.what();
    discard(); // no half-written file is left behind, even if commit() is never called
    return false;
  }
}

bool EventLog::try_write(const inventory::Event& e) noexcept {
  return keep_failure([&] { write(e); });
}

bool EventLog::try_flush() noexcept {
  return keep_failure([&] { flush(); });
}

void EventLog::write(const inventory::Event& e) {
  std::string line = inventory::to_jsonl(e);
  if (std::fwrite(line.data(), 1, line.size(), m_file) != line.size())
    throw base::UserError("cannot write " + base::printable(m_path) + ": " + std::strerror(errno));
  ++m_lines;
}

void EventLog::flush() {
  if (m_file && std::fflush(m_file) != 0) throw base::UserError("cannot write " + base::printable(m_path) + ": " + std::strerror(errno));
}

void EventLog::commit() {
  if (!m_failure.empty()) throw base::UserError(m_failure, "free some space, or write it to another file system");
  if (m_stdout) {
    std::fflush(stdout);
    return;
  }
  if (!m_file) return;
  bool ok = std::fflush(m_file) == 0 && ::fsync(fileno(m_file)) == 0;
  int err = errno;
  ok = std::fclose(m_file) == 0 && ok;
  m_file = nullptr;
  if (!ok || ::rename(m_tmp.c_str(), m_path.c_str()) != 0) {
    if (ok) err = errno;
    ::unlink(m_tmp.c_str());
    throw base::UserError("cannot write " + base::printable(m_path) + ": " + std::strerror(err));
  }
}

} // namespace netmap::capture
