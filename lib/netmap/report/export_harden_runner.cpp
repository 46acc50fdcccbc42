// step-security/harden-runner: `allowed-endpoints` is a whitespace-separated list of host:port,
// exact hosts or '*.x:port' (reference §1.7); egress-policy block refuses everything else.

#include "netmap/report/export_plan.hpp"
#include "netmap/report/export_util.hpp"
#include "netmap/report/exporter.hpp"

#include <yaml-cpp/yaml.h>

namespace netmap::report {

namespace {

// harden-runner needs a port on every endpoint; a name with no port in the inventory (a policy
// rule, or a name seen only by DNS) gets 443, the port nearly every build dependency uses.
constexpr std::uint16_t k_default_port = 443;

std::vector<std::string> endpoints(const ExportEntry& e) {
  std::vector<std::uint16_t> ports = e.ports;
  if (ports.empty()) ports.push_back(k_default_port);
  std::vector<std::string> out;
  for (const auto& host : entry_texts(e))
    for (auto p : ports) out.push_back(host + ":" + std::to_string(p));
  return out;
}

// A rule admits a name on every port; its endpoints admit only the ports seen, which is
// narrower whenever the inventory gave the rule's names a port (443 alone is the header's default).
std::string port_note(const ExportEntry& e) {
  if (e.ports.empty() || e.rule.source.origin == "inventory") return {};
  std::string list;
  for (auto p : e.ports) list += (list.empty() ? "" : ", ") + std::to_string(p);
  return "; narrowed: only port" + std::string(e.ports.size() == 1 ? " " : "s ") + list +
         " (seen in the inventory), where the rule admits every port";
}

} // namespace

std::string export_harden_runner(const ExportInput& in) {
  auto plan = plan_export(in, policy::Target::HardenRunner);
  const auto& entries = plan.allows;
  YAML::Emitter y;
  y.SetIndent(2);
  // One comment: yaml-cpp puts a second consecutive comment on the first one's line.
  std::string head =
      "netmap export --target harden-runner: the first step of each job (before checkout).\n"
      "egress-policy block refuses every endpoint not listed. Ports come from the inventory;\n"
      "443 is used where no port was seen for a name (policy rules, names seen only by DNS).\n"
      "Pin the action to a full commit SHA in production.";
  for (const auto& n : plan.left_out) head += "\n" + n;
  for (const auto& n : plan.unenforced) head += "\n" + n;
  if (!entries.empty()) head += "\nWhy each endpoint is here:";
  for (const auto& e : entries) {
    std::string names = e.translation.text;
    for (auto& c : names) c = c == '\n' ? ' ' : c;
    head += "\n  " + names + ": " + entry_comment(e) + port_note(e);
  }
  y << YAML::Comment(head);
  std::string list;
  for (const auto& e : entries)
    for (const auto& ep : endpoints(e)) list += ep + "\n";
  y << YAML::BeginSeq << YAML::BeginMap;
  y << YAML::Key << "name" << YAML::Value << "Harden the runner (allowlist from netmap)";
  y << YAML::Key << "uses" << YAML::Value << "step-security/harden-runner@v2";
  y << YAML::Key << "with" << YAML::Value << YAML::BeginMap;
  y << YAML::Key << "egress-policy" << YAML::Value << "block";
  y << YAML::Key << "allowed-endpoints" << YAML::Value;
  if (list.empty()) y << YAML::DoubleQuoted << "";
  else y << YAML::Literal << list;
  y << YAML::EndMap << YAML::EndMap << YAML::EndSeq;
  return std::string(y.c_str()) + "\n";
}

} // namespace netmap::report
