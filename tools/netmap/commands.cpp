#include "commands.hpp"

namespace netmap::tools {

std::vector<cli::Command> command_table() {
  return {
      discover_command(), replay_command(), export_command(), check_command(), sandbox_dns_command(),
      explain_command(),  proxy_command(),  merge_command(),  presets_command(),
  };
}

} // namespace netmap::tools
