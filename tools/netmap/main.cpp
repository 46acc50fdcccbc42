// netmap's entry point: everything lives in the command table and the library.

#include "commands.hpp"

#include "netmap/base/fd_limit.hpp"
#include "netmap/cli/app.hpp"

#include <cstdio>
#include <exception>

int main(int argc, char** argv) {
  netmap::base::raise_fd_limit(); // thousands of tunnels; commands we run get the old limit back
  try {
    return netmap::cli::run_app(argc, argv, netmap::tools::command_table());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "netmap: error: internal error: %s\n", e.what());
    return 2;
  } catch (...) {
    std::fputs("netmap: error: internal error\n", stderr);
    return 2;
  }
}
