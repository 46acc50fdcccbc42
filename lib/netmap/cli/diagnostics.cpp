#include "netmap/cli/diagnostics.hpp"

#include <cstdio>

namespace netmap::cli {

namespace {
std::string prefix(const std::string& cmd) { return cmd.empty() ? "netmap" : "netmap " + cmd; }

void line(const std::string& text) {
  std::fputs(text.c_str(), stderr);
  std::fputc('\n', stderr);
}
} // namespace

void print_error(const std::string& cmd, const base::UserError& e) {
  std::string where = e.where().str();
  line(prefix(cmd) + ": error: " + (where.empty() ? "" : where + ": ") + e.message());
  if (!e.hint().empty()) line("  hint: " + e.hint());
}

void print_error(const std::string& cmd, const std::string& message, const std::string& hint) {
  line(prefix(cmd) + ": error: " + message);
  if (!hint.empty()) line("  hint: " + hint);
}

void print_warning(const std::string& cmd, const std::string& message) { line(prefix(cmd) + ": warning: " + message); }

void print_note(const std::string& cmd, const std::string& message) { line(prefix(cmd) + ": note: " + message); }

} // namespace netmap::cli
