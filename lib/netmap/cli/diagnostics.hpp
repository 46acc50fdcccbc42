#pragma once
// One-line messages on stderr: `netmap <cmd>: error: …`, `… warning: …`, `… note: …`.

#include "netmap/base/error.hpp"

#include <string>

namespace netmap::cli {

/// Prints `netmap <cmd>: error: <where>: <message>` and, when present, `  hint: <hint>`; a line
/// over 480 bytes (a long argument quoted) loses its middle.
void print_error(const std::string& cmd, const base::UserError& e);
/// Prints `netmap <cmd>: error: <message>` (with an optional hint line).
void print_error(const std::string& cmd, const std::string& message, const std::string& hint = {});
/// Prints `netmap <cmd>: warning: <message>`.
void print_warning(const std::string& cmd, const std::string& message);
/// Prints `netmap <cmd>: note: <message>`.
void print_note(const std::string& cmd, const std::string& message);

} // namespace netmap::cli
