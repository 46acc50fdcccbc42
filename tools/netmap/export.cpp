// netmap export --target T: the sandbox's own configuration for the policy and an inventory.

#include "commands.hpp"

#include "netmap/base/atomic_file.hpp"
#include "netmap/base/error.hpp"
#include "netmap/base/text.hpp"
#include "netmap/cli/diagnostics.hpp"
#include "netmap/cli/options.hpp"
#include "netmap/inventory/inventory.hpp"
#include "netmap/report/exporter.hpp"

#include <memory>

namespace netmap::tools {

namespace {

struct ExportOptions {
  std::string target;
  std::vector<std::string> inventories;
  std::string output = "-";
  std::string upstream;
  policy::PolicyOverrides policy;
};

int run_export(const ExportOptions& o) {
  auto target = policy::parse_target(o.target);
  if (!target || *target == policy::Target::Netmap) {
    auto c = base::closest(o.target, policy::target_names());
    throw base::UserError("unknown target '" + base::escape_bytes(o.target) + "'",
                          c.empty() ? "targets: codex, copilot, claude, srt, harden-runner, squid, dnsmasq, unbound, json"
                                    : "did you mean '" + c + "'?");
  }
  base::require_writable(o.output);
  inventory::Inventory inv;
  for (const auto& f : o.inventories) inv.merge(inventory::read_inventory(f));
  auto pol = cli::load_policy(o.policy, "export");
  report::ExportInput in{&pol, o.inventories.empty() ? nullptr : &inv};
  auto out = report::export_target(*target, in, o.upstream);
  // JSON has no comments: what the file cannot say about widened entries goes to stderr.
  for (const auto& n : out.notes) cli::print_note("export", n);
  base::write_file_atomic(o.output, out.text);
  return cli::k_exit_ok;
}

} // namespace

cli::Command export_command() {
  auto opts = std::make_shared<ExportOptions>();
  return {"export", "Write the sandbox's allowlist config (codex network: block, …)", true,
          [opts](CLI::App& app) -> std::function<int()> {
            app.add_option("--target,-t", opts->target, "codex, copilot, claude, srt, harden-runner, squid, dnsmasq, unbound, json")
                ->required()->type_name("TARGET");
            app.add_option("--inventory,-i", opts->inventories, "Inventory or events file to add uncovered domains from (repeatable)")
                ->type_name("FILE")->allow_extra_args(false);
            app.add_option("--output,-o", opts->output, "Write here (atomically) instead of stdout")->type_name("FILE");
            app.add_option("--upstream", opts->upstream,
                           "dnsmasq/unbound: forward allowed names to ADDR[#PORT] (comma-separated; default: dns.custom_resolvers)")
                ->type_name("ADDR");
            cli::add_policy_options(app, opts->policy);
            return [opts] { return run_export(*opts); };
          }};
}

} // namespace netmap::tools
