#include "netmap/capture/event_log.hpp"

#include "netmap/base/error.hpp"

#include <cerrno>
#include <exception>

namespace netmap::capture {

EventLog::EventLog(std::string path) : m_path(std::move(path)) {
  if (m_path == "-") {
    m_file = stdout;
    return;
  }
  m_out.emplace(m_path);
  m_file = std::fopen(m_out->write_path().c_str(), m_out->in_place() ? "ae" : "we"); // a FIFO waits here for its reader
  if (!m_file) throw m_out->error(errno);
  // Events come in bursts of short lines; a large buffer keeps the writes few.
  std::setvbuf(m_file, nullptr, _IOFBF, 1 << 20);
}

EventLog::~EventLog() { discard(); }

void EventLog::discard() noexcept {
  if (!m_out || !m_file) return;
  std::fclose(m_file);
  m_file = nullptr;
  m_out->discard();
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
  if (std::fwrite(line.data(), 1, line.size(), m_file) != line.size()) throw base::write_error(m_path, errno);
  ++m_lines;
}

void EventLog::flush() {
  if (m_file && std::fflush(m_file) != 0) throw base::write_error(m_path, errno);
}

void EventLog::commit() {
  if (!m_failure.empty()) throw base::UserError(m_failure, "free some space, or write it to another file system");
  if (!m_out) { // standard output
    if (std::fflush(stdout) != 0) throw base::write_error(m_path, errno);
    return;
  }
  if (!m_file) return;
  int err = std::fflush(m_file) == 0 ? 0 : errno;
  if (std::fclose(m_file) != 0 && err == 0) err = errno;
  m_file = nullptr;
  if (err != 0) {
    m_out->discard();
    throw base::write_error(m_path, err);
  }
  m_out->commit();
}

} // namespace netmap::capture
