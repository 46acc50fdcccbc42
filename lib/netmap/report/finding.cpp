#include "netmap/report/finding.hpp"

namespace netmap::report {

const char* severity_name(Severity s) noexcept {
  switch (s) {
  case Severity::Notice: return "notice";
  case Severity::Warning: return "warning";
  case Severity::Error: return "error";
  }
  return "error";
}

std::optional<Severity> parse_severity(std::string_view s) noexcept {
  if (s == "notice") return Severity::Notice;
  if (s == "warning") return Severity::Warning;
  if (s == "error") return Severity::Error;
  return std::nullopt;
}

} // namespace netmap::report
