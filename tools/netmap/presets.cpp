// netmap presets [NAME]: the built-in allowlists with counts and provenance, or one list.

#include "commands.hpp"

#include "netmap/base/error.hpp"
#include "netmap/base/text.hpp"
#include "netmap/cli/options.hpp"
#include "netmap/policy/preset.hpp"
#include "netmap/report/table.hpp"

#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>

namespace netmap::tools {

namespace {

struct PresetsOptions {
  std::string name;
  cli::OutputOptions out;
};

nlohmann::json preset_json(const policy::Preset& p, bool with_entries) {
  nlohmann::json j{{"name", p.name}, {"title", p.title}, {"source", p.source}, {"semantics", p.semantics},
                   {"bare", policy::match_kind_name(p.bare)}, {"hosts", p.rules.size()},
                   {"url_entries", p.url_entries.size()}, {"ip_entries", p.ip_entries.size()}};
  if (with_entries) {
    nlohmann::json rules = nlohmann::json::array();
    for (const auto& r : p.rules) rules.push_back({{"entry", r.written}, {"rule", r.text()}, {"match", policy::match_kind_name(r.kind)}});
    j["entries"] = rules;
    j["url_entries"] = p.url_entries;
    j["ip_entries"] = p.ip_entries;
  }
  return j;
}

int run_presets(const PresetsOptions& o) {
  if (!o.name.empty()) {
    const auto* p = policy::find_preset(o.name);
    if (!p) {
      auto c = base::closest(o.name, policy::preset_names());
      throw base::UserError("unknown preset '" + base::escape_bytes(o.name) + "'",
                            c.empty() ? "see 'netmap presets'" : "did you mean '" + c + "'?");
    }
    if (o.out.json) {
      std::cout << preset_json(*p, true).dump(2) << "\n";
      return cli::k_exit_ok;
    }
    std::cout << "# " << p->name << ": " << p->title << "\n# source: " << p->source << "\n";
    if (!p->semantics.empty()) std::cout << "# semantics: " << p->semantics << "\n";
    std::cout << "# as netmap rules (" << p->rules.size() << " hosts):\n";
    for (const auto& r : p->rules) std::cout << r.text() << "\n";
    if (!p->url_entries.empty()) {
      std::cout << "# URL-prefix entries a host-level fence cannot hold (not used for matching):\n";
      for (const auto& u : p->url_entries) std::cout << "# " << u << "\n";
    }
    if (!p->ip_entries.empty()) {
      std::cout << "# IP entries (not used for name matching):\n";
      for (const auto& u : p->ip_entries) std::cout << "# " << u << "\n";
    }
    return cli::k_exit_ok;
  }
  if (o.out.json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto* p : policy::presets()) arr.push_back(preset_json(*p, false));
    std::cout << arr.dump(2) << "\n";
    return cli::k_exit_ok;
  }
  report::Table t({"PRESET", "HOSTS", "BARE ENTRY MEANS", "WHAT"});
  for (const auto* p : policy::presets())
    t.add_row({p->name, std::to_string(p->rules.size()), policy::match_kind_name(p->bare), p->title});
  std::cout << t.render(cli::use_color(o.out, 1));
  return cli::k_exit_ok;
}

} // namespace

cli::Command presets_command() {
  auto opts = std::make_shared<PresetsOptions>();
  return {"presets", "List the built-in allowlists, or print one", false,
          [opts](CLI::App& app) -> std::function<int()> {
            app.add_option("name", opts->name, "Preset to print")->type_name("NAME");
            cli::add_output_options(app, opts->out);
            app.footer("Exit status: 0 ok, 2 usage or runtime error (an unknown preset).");
            return [opts] { return run_presets(*opts); };
          }};
}

} // namespace netmap::tools
