// netmap replay: not built yet; its issue fills this file in.

#include "commands.hpp"

#include "netmap/base/error.hpp"

#include <memory>

namespace netmap::tools {

cli::Command replay_command() {
  return {"replay", "Run a command fenced like the sandbox and report what broke", true, [](CLI::App& app) -> std::function<int()> {
            app.allow_extras();
            return [] () -> int { throw base::UserError("'replay' is not implemented yet"); };
          }};
}

} // namespace netmap::tools
