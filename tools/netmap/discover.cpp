// netmap discover: not built yet; its issue fills this file in.

#include "commands.hpp"

#include "netmap/base/error.hpp"

#include <memory>

namespace netmap::tools {

cli::Command discover_command() {
  return {"discover", "Capture a build's traffic and list every domain it contacts", true, [](CLI::App& app) -> std::function<int()> {
            app.allow_extras();
            return [] () -> int { throw base::UserError("'discover' is not implemented yet"); };
          }};
}

} // namespace netmap::tools
