// netmap check: the CI step. Decides every contacted domain (from inventories, event logs, or a
// discovery run around `-- CMD`) against the policy and reports findings as text, JSON, GitHub
// workflow commands or JUnit XML. Exit 0 clean, 1 findings at or above --fail-on, 2 error.

#include "commands.hpp"

#include "netmap/base/atomic_file.hpp"
#include "netmap/base/distinct_paths.hpp"
#include "netmap/base/error.hpp"
#include "netmap/base/fd_limit.hpp"
#include "netmap/base/text.hpp"
#include "netmap/cli/diagnostics.hpp"
#include "netmap/cli/options.hpp"
#include "netmap/inventory/inventory.hpp"
#include "netmap/report/check_output.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <memory>
#include <sys/wait.h>
#include <unistd.h>

namespace netmap::tools {

namespace {

struct CheckOpts {
  std::vector<std::string> inventories;
  std::vector<std::string> command;
  std::string target;
  std::string format = "text";
  std::string fail_on = "error";
  std::string output = "-";
  bool stale = false;
  policy::PolicyOverrides policy;
  cli::OutputOptions out;
};

void add_check(CLI::App& app, CheckOpts& o) {
  app.add_option("--inventory,-i", o.inventories, "Inventory (JSON) or events (JSON Lines) to check; repeatable, merged")
      ->type_name("FILE")->allow_extra_args(false);
  app.add_option("--target,-t", o.target, "Also report rules this sandbox cannot express exactly (codex, copilot, claude, srt, …)")
      ->type_name("TARGET");
  app.add_option("--format,-f", o.format, "text, json, github (workflow annotations) or junit (XML test report)")
      ->check(CLI::IsMember({"text", "json", "github", "junit"}))->capture_default_str();
  app.add_option("--fail-on", o.fail_on, "Exit 1 when a finding is at least this severe: error, warning, notice")
      ->check(CLI::IsMember({"error", "warning", "notice"}))->capture_default_str();
  app.add_flag("--stale", o.stale, "Also report allow rules no contacted domain needed (notice)");
  app.add_option("--output,-o", o.output, "Write the report here (atomically) instead of stdout")->type_name("FILE");
  app.add_option("command", o.command, "After --: a command to run under 'netmap discover' and check")->type_name("CMD");
  cli::add_policy_options(app, o.policy);
  cli::add_output_options(app, o.out);
  app.footer("Severities: error = a contacted domain the fence blocks (unlisted, denied, mock, invalid), a rule the\n"
             "target cannot express, a deny it cannot enforce; warning = bare-IP destinations, a capture that may\n"
             "have lost names, rules the target widens or narrows; notice = allow rules a preset covers, --stale rules.\n"
             "Exit status: 0 clean, 1 findings at or above --fail-on, 2 usage or runtime error.");
}

// The temporary directory holding discover's inventory; removed on every path out.
struct TempDir {
  std::string path;
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/netmap-check-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) throw base::UserError("cannot create a temporary directory: " + std::string(std::strerror(errno)));
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

pid_t g_child = 0;

void check_forward_signal(int sig) {
  if (g_child > 0) ::kill(g_child, sig);
}

// Runs this same binary as `discover -o FILE -- CMD…`; its stdout (and CMD's) goes to our stderr
// so the report on stdout stays parseable. Not --json: that would print the whole inventory into
// the CI log, where discover's short table is what a reader wants. Returns the wait status.
int run_discover(const std::vector<std::string>& command, const std::string& out_file) {
  std::vector<std::string> args{"netmap", "discover", "-o", out_file, "--"};
  args.insert(args.end(), command.begin(), command.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) throw base::UserError("cannot start discover: " + std::string(std::strerror(errno)));
  if (pid == 0) {
    ::dup2(2, 1);
    // The discover we start would otherwise take our raised limit for the user's own and hand
    // it on to the command.
    base::restore_fd_limit();
    ::execv("/proc/self/exe", argv.data());
    std::fprintf(stderr, "netmap check: error: cannot run /proc/self/exe: %s\n", std::strerror(errno));
    ::_exit(127);
  }
  // The terminal's Ctrl-C reaches discover too (same process group); it writes its result and
  // exits, so we wait for it. SIGTERM sent to us alone is passed on.
  g_child = pid;
  struct sigaction sa {}, old_int {}, old_term {};
  sa.sa_handler = check_forward_signal;
  ::sigemptyset(&sa.sa_mask);
  ::sigaction(SIGTERM, &sa, &old_term);
  sa.sa_handler = SIG_IGN;
  ::sigaction(SIGINT, &sa, &old_int);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGTERM, &old_term, nullptr);
  g_child = 0;
  return status;
}

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

policy::Target parse_target_option(const std::string& name) {
  auto t = policy::parse_target(name);
  if (t) return *t;
  auto c = base::closest(name, policy::target_names());
  throw base::UserError("unknown target '" + base::escape_bytes(name) + "'",
                        c.empty() ? "targets: codex, copilot, claude, srt, harden-runner, squid, dnsmasq, unbound, json"
                                  : "did you mean '" + c + "'?");
}

// Runs discover around the command; returns its inventory and sets `status` to the command's exit.
inventory::Inventory discover_inventory(const std::vector<std::string>& command, int& status) {
  TempDir dir;
  std::string file = dir.path + "/inventory.json";
  status = exit_code_of(run_discover(command, file));
  std::error_code ec;
  if (!std::filesystem::exists(file, ec))
    throw base::UserError("'netmap discover' wrote no inventory (exit status " + std::to_string(status) + ")",
                          "see its messages above; or run discover yourself and pass --inventory FILE");
  return inventory::read_inventory(file);
}

std::string render(const report::CheckResult& r, const CheckOpts& o, report::Severity fail_on) {
  std::string format = o.out.json ? "json" : o.format;
  if (format == "json") return report::format_check_json(r, fail_on);
  if (format == "github") return report::format_check_github(r);
  if (format == "junit") return report::format_check_junit(r, fail_on);
  return report::format_check_text(r, fail_on, o.output == "-" && cli::use_color(o.out, 1));
}

int run_check(const CheckOpts& o) {
  if (o.inventories.empty() && o.command.empty())
    throw base::UserError("nothing to check", "give --inventory FILE (repeatable) or -- CMD to run discovery around a command");
  std::optional<policy::Target> target;
  if (!o.target.empty()) target = parse_target_option(o.target);
  auto fail_on = report::parse_severity(o.fail_on).value_or(report::Severity::Error);
  if (o.out.json && o.format != "text" && o.format != "json")
    throw base::UserError("--json and --format " + o.format + " ask for two formats", "give one of them");
  std::vector<base::PathUse> inputs;
  for (const auto& f : o.inventories) inputs.push_back({f, "--inventory"});
  const base::PathUse outputs[] = {{o.output, "--output"}};
  base::require_distinct(inputs, outputs);
  base::require_writable(o.output); // -- CMD can run long
  inventory::Inventory inv;
  for (const auto& f : o.inventories) inv.merge(inventory::read_inventory(f)); // a bad file is the only line
  auto pol = cli::load_policy(o.policy, "check");
  int status = 0;
  if (!o.command.empty()) {
    inv.merge(discover_inventory(o.command, status));
    // discover's table (on stderr) and the check report (on stdout) share the terminal or the
    // CI log: a blank line keeps them apart.
    if (o.output == "-") std::fputc('\n', stderr);
  }

  auto result = report::run_check(pol, inv, {target, o.stale});
  if (status != 0) {
    report::Finding f;
    f.code = "command-failed";
    f.title = "command failed";
    f.message = "`" + base::command_text(o.command) + "` exited with status " + std::to_string(status);
    f.hint = "a blocked domain can be the cause: see 'netmap replay'";
    result.findings.push_back(std::move(f));
    result.sort_findings();
  }
  base::write_file_atomic(o.output, render(result, o, fail_on));
  return result.fails(fail_on) ? cli::k_exit_findings : cli::k_exit_ok;
}

} // namespace

cli::Command check_command() {
  auto opts = std::make_shared<CheckOpts>();
  return {"check", "CI: fail when the build contacts a domain the policy lacks", true,
          [opts](CLI::App& app) -> std::function<int()> {
            add_check(app, *opts);
            return [opts] { return run_check(*opts); };
          }};
}

} // namespace netmap::tools
