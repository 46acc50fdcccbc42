#include "netmap/report/exporter.hpp"

#include "netmap/base/error.hpp"

namespace netmap::report {

ExportOutput export_target(policy::Target target, const ExportInput& in, const std::string& upstream) {
  ExportOutput out;
  switch (target) {
  case policy::Target::Codex: out.text = export_codex(in); break;
  case policy::Target::Copilot: out.text = export_copilot(in); break;
  case policy::Target::Claude: out.text = export_claude(in, out.notes); break;
  case policy::Target::Srt: out.text = export_srt(in, out.notes); break;
  case policy::Target::HardenRunner: out.text = export_harden_runner(in); break;
  case policy::Target::Squid: out.text = export_squid(in); break;
  case policy::Target::Dnsmasq: out.text = export_dnsmasq(in, upstream); break;
  case policy::Target::Unbound: out.text = export_unbound(in, upstream); break;
  case policy::Target::Json: out.text = export_json(in); break;
  case policy::Target::Netmap:
    throw base::UserError("no exporter for target 'netmap'", "use --target json for netmap's own grammar");
  }
  return out;
}

std::string export_config(policy::Target target, const ExportInput& in) { return export_target(target, in).text; }

} // namespace netmap::report
