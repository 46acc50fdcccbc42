#include "netmap/report/exporter.hpp"

#include "netmap/base/error.hpp"

namespace netmap::report {

std::string export_config(policy::Target target, const ExportInput& in) {
  switch (target) {
  case policy::Target::Codex: return export_codex(in);
  default: break;
  }
  throw base::UserError(std::string("no exporter for target '") + policy::target_name(target) + "' yet",
                        "available: codex");
}

} // namespace netmap::report
