// netmap merge FILE…: one inventory from several (the jobs of a CI matrix). Counts add up, sets
// unite, times widen (Inventory::merge). Verdicts: when a policy is given (--policy/--preset/
// --allow) or a netmap.yaml is found upwards from the current directory, every domain is decided
// again under it, since the jobs may have run under different policies; otherwise, or with
// --keep-verdicts, each domain keeps the first verdict recorded for it.

#include "commands.hpp"

#include "netmap/base/distinct_paths.hpp"
#include "netmap/cli/diagnostics.hpp"
#include "netmap/cli/options.hpp"
#include "netmap/inventory/inventory.hpp"

#include <filesystem>
#include <memory>

namespace netmap::tools {

namespace {

struct MergeOpts {
  std::vector<std::string> files;
  std::string output = "-";
  bool keep_verdicts = false;
  policy::PolicyOverrides policy;
};

bool policy_available(const MergeOpts& o) {
  if (!o.policy.file.empty() || !o.policy.presets.empty() || !o.policy.allow.empty()) return true;
  std::error_code ec;
  auto cwd = std::filesystem::current_path(ec);
  return !ec && policy::find_policy_file(cwd.string()).has_value();
}

int run_merge(const MergeOpts& o) {
  // An inventory given as input may also be the output (`merge a.json b.json -o a.json`
  // accumulates, and every input is read before the output is written); the policy may not.
  const base::PathUse policy_file[] = {{o.policy.file, "--policy"}};
  const base::PathUse output[] = {{o.output, "--output"}};
  base::require_distinct(policy_file, output);
  inventory::Inventory inv;
  for (const auto& f : o.files) inv.merge(inventory::read_inventory(f));
  bool apply = !o.keep_verdicts && policy_available(o);
  if (apply) {
    auto pol = cli::load_policy(o.policy, "merge");
    inv.apply_policy(pol.build_matcher());
  }
  inventory::write_inventory(o.output, inv);
  if (o.output != "-")
    cli::print_note("merge", std::to_string(o.files.size()) + " files: " + std::to_string(inv.domains.size()) + " domains, " +
                                 std::to_string(inv.unnamed.size()) + " bare-IP destinations" +
                                 (apply ? ", verdicts decided again under the policy" : ", recorded verdicts kept") + " → " + o.output);
  return cli::k_exit_ok;
}

} // namespace

cli::Command merge_command() {
  auto opts = std::make_shared<MergeOpts>();
  return {"merge", "Combine inventories (CI matrix jobs) into one", false, [opts](CLI::App& app) -> std::function<int()> {
            app.add_option("files", opts->files, "Inventories (JSON) or event logs (JSON Lines)")->required()->type_name("FILE");
            app.add_option("--output,-o", opts->output, "Write the merged inventory here (atomically) instead of stdout")
                ->type_name("FILE");
            app.add_flag("--keep-verdicts", opts->keep_verdicts, "Keep the verdicts recorded in the inputs; do not apply a policy");
            cli::add_policy_options(app, opts->policy);
            app.footer("Verdicts are decided again when a policy is given or a netmap.yaml is found; else the first\n"
                       "recorded verdict of each domain is kept.\nExit status: 0 ok, 2 usage or runtime error.");
            return [opts] { return run_merge(*opts); };
          }};
}

} // namespace netmap::tools
