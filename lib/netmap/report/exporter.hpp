#pragma once
// Turns a policy and an inventory into a target's own configuration text.

#include "netmap/report/entries.hpp"

#include <string>

namespace netmap::report {

/// The configuration text for `target` (ending with a newline). Throws base::UserError when the
/// target has no exporter.
[[nodiscard]] std::string export_config(policy::Target target, const ExportInput& in);

/// The Codex environment `network:` block (spec CDX-301f module 1), YAML.
[[nodiscard]] std::string export_codex(const ExportInput& in);

} // namespace netmap::report
