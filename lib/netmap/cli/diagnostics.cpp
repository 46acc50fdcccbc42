#include "netmap/cli/diagnostics.hpp"

#include "netmap/base/text.hpp"

#include <cstdio>
#include <string>

namespace netmap::cli {

namespace {

// Errors quote what the user gave (a rule, an address, a path), which can be any length: a
// 40 KB argument would otherwise fill the terminal. The middle goes; the start says what was
// given and the end says what is wrong with it. Notes and warnings are netmap's own lists (what
// an export left out), kept whole.
constexpr std::size_t k_max_line = 480, k_keep = 200;

std::string fit(const std::string& text) {
  if (text.size() <= k_max_line) return text;
  std::size_t head = base::utf8_floor(text, k_keep), tail = base::utf8_ceil(text, text.size() - k_keep);
  return text.substr(0, head) + " …(" + std::to_string(tail - head) + " bytes left out)… " + text.substr(tail);
}

std::string prefix(const std::string& cmd) { return cmd.empty() ? "netmap" : "netmap " + cmd; }

void line(const std::string& text) {
  std::fputs(text.c_str(), stderr);
  std::fputc('\n', stderr);
}

} // namespace

void print_error(const std::string& cmd, const base::UserError& e) {
  std::string where = base::printable(e.where().str()); // a file name is any bytes
  line(fit(prefix(cmd) + ": error: " + (where.empty() ? "" : where + ": ") + e.message()));
  if (!e.hint().empty()) line(fit("  hint: " + e.hint()));
}

void print_error(const std::string& cmd, const std::string& message, const std::string& hint) {
  line(fit(prefix(cmd) + ": error: " + message));
  if (!hint.empty()) line(fit("  hint: " + hint));
}

void print_warning(const std::string& cmd, const std::string& message) { line(prefix(cmd) + ": warning: " + message); }

void print_note(const std::string& cmd, const std::string& message) { line(prefix(cmd) + ": note: " + message); }

} // namespace netmap::cli
