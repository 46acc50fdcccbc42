#pragma once
// The command table: one factory per subcommand, each defined in the file named after it.

#include "netmap/cli/app.hpp"

#include <vector>

namespace netmap::tools {

/// Every subcommand, in the order `netmap --help` lists them.
[[nodiscard]] std::vector<cli::Command> command_table();

cli::Command discover_command();    ///< discover.cpp
cli::Command replay_command();      ///< replay.cpp
cli::Command export_command();      ///< export.cpp
cli::Command check_command();       ///< check.cpp
cli::Command sandbox_dns_command(); ///< sandbox_dns.cpp
cli::Command explain_command();     ///< explain.cpp
cli::Command proxy_command();       ///< proxy.cpp
cli::Command merge_command();       ///< merge.cpp
cli::Command presets_command();     ///< presets.cpp

} // namespace netmap::tools
