#pragma once
// Flags every command shares: the policy (--policy/--preset/--allow) and output (--json/--color).

#include "netmap/policy/policy.hpp"

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace netmap::cli {

/// Exit codes, as ripgrep uses them: 0 nothing wrong, 1 findings/blocked, 2 error.
inline constexpr int k_exit_ok = 0;
inline constexpr int k_exit_findings = 1;
inline constexpr int k_exit_error = 2;

/// --json and --color.
struct OutputOptions {
  bool json = false;          ///< machine-readable output on stdout
  std::string color = "auto"; ///< auto, always, never
};

/// Adds --json and --color to a command.
void add_output_options(CLI::App& app, OutputOptions& o);
/// Adds --policy, --preset and --allow to a command.
void add_policy_options(CLI::App& app, policy::PolicyOverrides& o);
/// Resolves the policy for command `cmd`, printing the "no netmap.yaml" note on stderr if needed.
[[nodiscard]] policy::Policy load_policy(const policy::PolicyOverrides& o, const std::string& cmd);
/// True when colour should be used on `fd` (auto = TTY and NO_COLOR unset).
[[nodiscard]] bool use_color(const OutputOptions& o, int fd);
/// True when `fd` is a terminal.
[[nodiscard]] bool is_tty(int fd);

} // namespace netmap::cli
