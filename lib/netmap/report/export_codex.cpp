// The Codex `network:` block: proxy, dns.custom_resolvers, dns.allowlist_additions (spec CDX-301f).

#include "netmap/report/export_plan.hpp"
#include "netmap/report/exporter.hpp"

#include <yaml-cpp/yaml.h>

namespace netmap::report {

std::string export_codex(const ExportInput& in) {
  const policy::Policy& p = *in.policy;
  auto plan = plan_export(in, policy::Target::Codex);
  const auto& entries = plan.allows;

  YAML::Emitter y;
  y.SetIndent(2);
  std::string presets;
  for (const auto& ref : p.presets) presets += (presets.empty() ? "" : ", ") + ref.name;
  std::string head = "netmap export --target codex" +
                     (presets.empty() ? std::string(": no preset; choose the 'None' domain allowlist")
                                      : ": choose the matching domain allowlist preset (" + presets + ")") +
                     "; Codex admits every subdomain of an entry";
  for (const auto& n : plan.unenforced) head += "\n" + n;
  for (const auto& n : plan.left_out) head += "\n" + n;
  y << YAML::Comment(head);
  y << YAML::BeginMap << YAML::Key << "network" << YAML::Value << YAML::BeginMap;
  if (!p.proxy.http.empty() || !p.proxy.https.empty() || !p.proxy.no_proxy.empty()) {
    y << YAML::Key << "proxy" << YAML::Value << YAML::BeginMap;
    if (!p.proxy.http.empty()) y << YAML::Key << "http" << YAML::Value << YAML::DoubleQuoted << p.proxy.http;
    if (!p.proxy.https.empty()) y << YAML::Key << "https" << YAML::Value << YAML::DoubleQuoted << p.proxy.https;
    if (!p.proxy.no_proxy.empty()) y << YAML::Key << "no_proxy" << YAML::Value << YAML::DoubleQuoted << p.proxy.no_proxy;
    y << YAML::EndMap;
  }
  y << YAML::Key << "dns" << YAML::Value << YAML::BeginMap;
  if (!p.custom_resolvers.empty()) {
    y << YAML::Key << "custom_resolvers" << YAML::Value << YAML::BeginSeq;
    for (const auto& r : p.custom_resolvers) y << YAML::DoubleQuoted << r;
    y << YAML::EndSeq;
  }
  y << YAML::Key << "allowlist_additions" << YAML::Value;
  if (entries.empty()) {
    y << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
  } else {
    y << YAML::BeginSeq;
    for (const auto& e : entries) {
      std::string why = e.reason;
      if (!e.translation.note.empty()) why += "; " + e.translation.note;
      y << YAML::DoubleQuoted << e.translation.text << YAML::Comment(why);
    }
    y << YAML::EndSeq;
  }
  y << YAML::EndMap << YAML::EndMap << YAML::EndMap;
  return std::string(y.c_str()) + "\n";
}

} // namespace netmap::report
