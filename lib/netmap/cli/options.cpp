#include "netmap/cli/options.hpp"

#include "netmap/cli/diagnostics.hpp"
#include "netmap/policy/preset.hpp"

#include <cstdlib>
#include <unistd.h>

namespace netmap::cli {

void add_output_options(CLI::App& app, OutputOptions& o) {
  app.add_flag("--json", o.json, "Write machine-readable JSON to stdout");
  app.add_option("--color", o.color, "Colour: auto (terminal and NO_COLOR unset), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
}

void add_policy_options(CLI::App& app, policy::PolicyOverrides& o) {
  app.add_option("--policy", o.file, "Policy file (default: the nearest netmap.yaml upwards)")
      ->type_name("FILE");
  app.add_option("--preset", o.presets, "Built-in allowlist to use instead of the file's presets (repeatable)")
      ->type_name("NAME")->allow_extra_args(false);
  app.add_option("--allow", o.allow, "Add an allow rule: example.com, *.example.com, **.example.com (repeatable)")
      ->type_name("RULE")->allow_extra_args(false);
}

policy::Policy load_policy(const policy::PolicyOverrides& o, const std::string& cmd) {
  std::string note;
  auto p = policy::resolve_policy(o, &note);
  if (!note.empty()) print_note(cmd, note);
  return p;
}

bool is_tty(int fd) { return ::isatty(fd) == 1; }

bool use_color(const OutputOptions& o, int fd) {
  if (o.color == "always") return true;
  if (o.color == "never" || o.json) return false;
  const char* nc = std::getenv("NO_COLOR");
  if (nc && *nc) return false;
  return is_tty(fd);
}

} // namespace netmap::cli
