// netmap merge: not built yet; its issue fills this file in.

#include "commands.hpp"

#include "netmap/base/error.hpp"

#include <memory>

namespace netmap::tools {

cli::Command merge_command() {
  return {"merge", "Combine inventories (CI matrix jobs) into one", false, [](CLI::App& app) -> std::function<int()> {
            app.allow_extras();
            return [] () -> int { throw base::UserError("'merge' is not implemented yet"); };
          }};
}

} // namespace netmap::tools
