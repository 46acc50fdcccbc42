// netmap check: not built yet; its issue fills this file in.

#include "commands.hpp"

#include "netmap/base/error.hpp"

#include <memory>

namespace netmap::tools {

cli::Command check_command() {
  return {"check", "CI: fail when the build contacts a domain the policy lacks", true, [](CLI::App& app) -> std::function<int()> {
            app.allow_extras();
            return [] () -> int { throw base::UserError("'check' is not implemented yet"); };
          }};
}

} // namespace netmap::tools
