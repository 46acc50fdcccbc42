// netmap explain NAME…: which rule of which source allows or blocks each name, and what the
// chosen target would make of the same rules.

#include "commands.hpp"

#include "netmap/base/atomic_file.hpp"
#include "netmap/base/error.hpp"
#include "netmap/base/text.hpp"
#include "netmap/cli/options.hpp"
#include "netmap/policy/target.hpp"
#include "netmap/report/export_plan.hpp"
#include "netmap/report/table.hpp"

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>

namespace netmap::tools {

namespace {

struct ExplainOptions {
  std::vector<std::string> names;
  std::string target = "netmap";
  policy::PolicyOverrides policy;
  cli::OutputOptions out;
};

void add_explain(CLI::App& app, ExplainOptions& o) {
  app.add_option("names", o.names, "Host names to explain")->required()->type_name("NAME");
  app.add_option("--target", o.target, "Also decide under this sandbox's matching semantics")
      ->type_name("TARGET")->capture_default_str();
  cli::add_policy_options(app, o.policy);
  cli::add_output_options(app, o.out);
  app.footer("Exit status: 0 every name allowed, 1 any blocked, 2 usage or runtime error.");
}

std::string describe(const policy::Verdict& v) {
  if (!v.rule) return "no rule admits it";
  return std::string("by ") + policy::action_name(v.rule->action) + " rule " + v.rule->text() + " (" +
         policy::match_kind_name(v.rule->kind) + ") from " + v.rule->source.str();
}

int run_explain(const ExplainOptions& o) {
  auto target = policy::parse_target(o.target);
  if (!target) {
    auto c = base::closest(o.target, policy::target_names());
    throw base::UserError("unknown target '" + base::escape_bytes(o.target) + "'",
                          c.empty() ? "targets: codex, copilot, claude, srt, harden-runner, squid, dnsmasq, unbound, json"
                                    : "did you mean '" + c + "'?");
  }
  std::vector<policy::DomainName> names;
  for (const auto& n : o.names) {
    auto dn = policy::DomainName::parse(n);
    if (!dn) throw base::UserError("'" + base::escape_bytes(n) + "' is not a host name: " + dn.error());
    names.push_back(dn.value());
  }
  auto pol = cli::load_policy(o.policy, "explain");
  auto matcher = pol.build_matcher();
  bool with_target = *target != policy::Target::Netmap && *target != policy::Target::Json;
  // The target decides by what `netmap export --target` writes for this policy, not by a
  // translation of its own: the two must never disagree.
  report::ExportInput in{&pol, nullptr};
  std::optional<report::ExportPlan> plan;
  if (with_target) plan = report::plan_export(in, *target);

  bool any_blocked = false;
  nlohmann::json arr = nlohmann::json::array();
  report::Table table(with_target ? std::vector<std::string>{"NAME", "VERDICT", "WHY", std::string("ON ") + o.target}
                                  : std::vector<std::string>{"NAME", "VERDICT", "WHY"});
  for (const auto& dn : names) {
    auto v = matcher.decide(dn);
    bool allowed = v.reachable();
    any_blocked = any_blocked || !allowed;
    nlohmann::json j{{"name", dn.str()}, {"verdict", policy::decision_name(v.decision)}, {"allowed", allowed}};
    if (v.rule) {
      j["rule"] = v.rule->text();
      j["match"] = policy::match_kind_name(v.rule->kind);
      j["action"] = policy::action_name(v.rule->action);
      j["source"] = v.rule->source.str();
    }
    std::vector<std::string> row{dn.str(), allowed ? "allowed" : std::string("blocked (") + policy::decision_name(v.decision) + ")", describe(v)};
    if (with_target) {
      auto tv = plan->decide(dn);
      j["target"] = o.target;
      j["target_verdict"] = policy::decision_name(tv.decision);
      j["target_allowed"] = tv.reachable();
      std::string cell = tv.reachable() ? "allowed" : "blocked";
      if (tv.reachable() != allowed) {
        cell += allowed ? " (the exported rule is narrower there)" : " (the exported rule is wider there)";
        j["differs"] = true;
      }
      row.push_back(cell);
    }
    arr.push_back(std::move(j));
    table.add_row(std::move(row));
    table.colour_last(1, allowed ? "32" : "31");
  }
  std::string text;
  if (o.out.json) {
    nlohmann::json doc{{"policy", pol.path}, {"semantics", policy::semantics_summary(*target)}, {"results", arr}};
    text = doc.dump(2) + "\n";
  } else {
    text = table.render(cli::use_color(o.out, 1));
    if (with_target) text += "\n" + policy::semantics_summary(*target) + "\n";
  }
  base::write_file_atomic("-", text); // a failed write is an error, not a verdict
  return any_blocked ? cli::k_exit_findings : cli::k_exit_ok;
}

} // namespace

cli::Command explain_command() {
  auto opts = std::make_shared<ExplainOptions>();
  return {"explain", "Say which rule allows or blocks a name, under which target's semantics", false,
          [opts](CLI::App& app) -> std::function<int()> {
            add_explain(app, *opts);
            return [opts] { return run_explain(*opts); };
          }};
}

} // namespace netmap::tools
