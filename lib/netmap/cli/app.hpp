#pragma once
// The command table and the one entry point that turns CLI11 and our errors into exit codes.

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace netmap::cli {

/// One subcommand: how to add its flags and how to run it once parsed.
struct Command {
  std::string name;                                 ///< "explain"
  std::string summary;                              ///< one line for `netmap --help`
  bool primary = false;                             ///< listed in the short usage of a bare `netmap`
  std::function<std::function<int()>(CLI::App&)> add; ///< adds flags to the subcommand, returns its runner
};

/// Parses argv against the table and runs the chosen command. Returns the process exit code:
/// the command's own, 0 for --help/--version, 2 for usage and user errors (one line on stderr).
[[nodiscard]] int run_app(int argc, char** argv, const std::vector<Command>& commands);

/// "netmap 0.1.0 (git abc123)".
[[nodiscard]] std::string version_string();

} // namespace netmap::cli
