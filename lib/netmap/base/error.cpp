#include "netmap/base/error.hpp"

#include <cerrno>
#include <cstring>

namespace netmap::base {

std::string Location::str() const {
  if (file.empty()) return {};
  std::string s = file;
  if (line > 0) {
    s += ':' + std::to_string(line);
    if (column > 0) s += ':' + std::to_string(column);
  }
  return s;
}

UserError::UserError(std::string message, std::string hint)
    : std::runtime_error(message), m_message(std::move(message)), m_hint(std::move(hint)) {}

UserError::UserError(Location where, std::string message, std::string hint)
    : std::runtime_error(where.str().empty() ? message : where.str() + ": " + message),
      m_where(std::move(where)), m_message(std::move(message)), m_hint(std::move(hint)) {}

std::string errno_text(const std::string& what) {
  const int err = errno;
  return what + ": " + std::strerror(err);
}

} // namespace netmap::base
