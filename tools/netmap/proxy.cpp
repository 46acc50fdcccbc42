// netmap proxy: not built yet; its issue fills this file in.

#include "commands.hpp"

#include "netmap/base/error.hpp"

#include <memory>

namespace netmap::tools {

cli::Command proxy_command() {
  return {"proxy", "Serve the allowlisting CONNECT proxy alone", false, [](CLI::App& app) -> std::function<int()> {
            app.allow_extras();
            return [] () -> int { throw base::UserError("'proxy' is not implemented yet"); };
          }};
}

} // namespace netmap::tools
