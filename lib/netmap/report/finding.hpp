#pragma once
// One thing `netmap check` found: a severity, a stable code, a message and, for policy problems,
// the place in netmap.yaml to fix.

#include "netmap/base/error.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace netmap::report {

/// How bad a finding is; ordered so that a larger value is worse.
enum class Severity { Notice = 0, Warning = 1, Error = 2 };

/// Lowercase name ("notice", "warning", "error").
[[nodiscard]] const char* severity_name(Severity s) noexcept;
/// Parses a severity name; nothing for an unknown one.
[[nodiscard]] std::optional<Severity> parse_severity(std::string_view s) noexcept;

/// One finding.
struct Finding {
  Severity severity = Severity::Error;
  std::string code;      ///< stable identifier: "unlisted", "denied", "mock", "invalid-name", "bare-ip",
                         ///< "incomplete-capture",
                         ///< "target-impossible", "target-widened", "target-narrowed", "deny-unenforced",
                         ///< "covered-by-preset", "stale", "command-failed"
  std::string title;     ///< short headline ("domain not allowed")
  std::string message;   ///< one line, names already escaped
  std::string domain;    ///< the contacted domain or address it is about, if any
  std::string rule;      ///< the rule text it is about, if any
  base::Location where;  ///< netmap.yaml position for policy problems (file empty otherwise)
  std::string hint;      ///< what to do, possibly empty
};

} // namespace netmap::report
