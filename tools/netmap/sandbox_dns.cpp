// netmap sandbox-dns: not built yet; its issue fills this file in.

#include "commands.hpp"

#include "netmap/base/error.hpp"

#include <memory>

namespace netmap::tools {

cli::Command sandbox_dns_command() {
  return {"sandbox-dns", "Serve the restrictive resolver alone, or around a command", true, [](CLI::App& app) -> std::function<int()> {
            app.allow_extras();
            return [] () -> int { throw base::UserError("'sandbox-dns' is not implemented yet"); };
          }};
}

} // namespace netmap::tools
