#include "netmap/cli/app.hpp"

#include "netmap/base/error.hpp"
#include "netmap/base/text.hpp"
#include "netmap/cli/diagnostics.hpp"
#include "netmap/cli/options.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>

#ifndef NETMAP_VERSION
#define NETMAP_VERSION "0.0.0"
#endif
#include "netmap/cli/git_revision.hpp" // generated at build time: NETMAP_GIT_REVISION

namespace netmap::cli {

namespace {

std::string short_usage(const std::vector<Command>& commands) {
  std::string s = "usage: netmap <command> [options] [-- CMD…]\n\nThe loop netmap serves:\n";
  for (const auto& c : commands)
    if (c.primary) s += "  netmap " + c.name + std::string(c.name.size() < 12 ? 12 - c.name.size() : 1, ' ') + c.summary + "\n";
  s += "\n'netmap --help' lists every command; 'netmap help <command>' its options.\n";
  return s;
}

// The option names a subcommand knows, for "did you mean".
std::vector<std::string> option_names(CLI::App& sub) {
  std::vector<std::string> out;
  for (const CLI::Option* o : sub.get_options()) {
    for (const auto& l : o->get_lnames()) out.push_back("--" + l);
    for (const auto& s : o->get_snames()) out.push_back("-" + s);
  }
  return out;
}

std::string extras_hint(CLI::App& sub, const std::string& what) {
  // CLI11 says "The following argument was not expected: --jsn"; find the dashed word.
  auto pos = what.find(": ");
  std::string rest = pos == std::string::npos ? what : what.substr(pos + 2);
  for (const auto& word : base::split(rest, " ")) {
    if (!word.starts_with("-")) continue;
    std::string flag = word.substr(0, word.find('='));
    if (auto c = base::closest(flag, option_names(sub)); !c.empty()) return "did you mean '" + c + "'?";
  }
  return "see 'netmap " + sub.get_name() + " --help'";
}

// Data that never reached stdout must not pass for a result: a config piped to a full disk
// would otherwise be truncated with status 0. One check here covers every command; a write that
// failed earlier leaves only the stream's error flag, so its errno may be gone by now.
int checked_stdout(const std::string& cmd, int status) {
  std::cout.flush();
  errno = 0;
  bool failed = std::fflush(stdout) != 0;
  int err = errno;
  if (!failed && !std::ferror(stdout) && std::cout.good()) return status;
  if (err == EPIPE) return status; // the reader left (`| head`): as quiet as SIGPIPE would be
  print_error(cmd, std::string("cannot write standard output") + (err != 0 ? std::string(": ") + std::strerror(err) : std::string(": a write failed")));
  return k_exit_error;
}

} // namespace

std::string version_string() {
  return std::string("netmap ") + NETMAP_VERSION + " (git " + NETMAP_GIT_REVISION + ")";
}

int run_app(int argc, char** argv, const std::vector<Command>& commands) {
  CLI::App app{"netmap: map the network dependencies of a build and rehearse it inside a sandbox's fence"};
  app.name("netmap");
  app.set_version_flag("--version", version_string());
  app.require_subcommand(0, 1);
  app.footer("Exit status: each command's --help says; 2 is always a usage or runtime error.");
  std::map<std::string, std::function<int()>> runners;
  std::map<std::string, CLI::App*> subs;
  std::vector<std::string> names;
  for (const auto& c : commands) {
    CLI::App* sub = app.add_subcommand(c.name, c.summary);
    // Commands whose 1 means something (check, explain, replay) or that pass a command's status
    // on (discover, sandbox-dns) set their own.
    sub->footer("Exit status: 0 ok, 2 usage or runtime error.");
    runners[c.name] = c.add(*sub);
    subs[c.name] = sub;
    names.push_back(c.name);
  }
  if (argc < 2) {
    std::fputs(short_usage(commands).c_str(), stderr);
    return k_exit_error;
  }
  std::string first = argv[1];
  // `netmap help [CMD]`, as git and go spell it: the same text as `netmap [CMD] --help`.
  static char help_flag[] = "--help";
  std::vector<char*> help_args;
  if (first == "help" && argc <= 3) {
    help_args = {argv[0]};
    if (argc == 3) help_args.push_back(argv[2]);
    help_args.push_back(help_flag);
    help_args.push_back(nullptr);
    argc = static_cast<int>(help_args.size()) - 1;
    argv = help_args.data();
    first = argv[1];
  } else if (first == "help") {
    print_error("", "'netmap help' takes one command name", "e.g. 'netmap help check'");
    return k_exit_error;
  }
  if (!first.starts_with("-") && !runners.contains(first)) {
    auto c = base::closest(first, names);
    print_error("", "unknown command '" + base::escape_bytes(first) + "'",
                c.empty() ? "see 'netmap --help' for the commands" : "did you mean 'netmap " + c + "'?");
    return k_exit_error;
  }
  std::string cmd = runners.contains(first) ? first : "";
  // CLI11 2.1 keeps parsing options after "--" inside a subcommand (and rejects unknown ones), so
  // `netmap replay -- sh -c x` failed. Everything after the first "--" is the command to run: parse
  // only what precedes it, then hand the rest to the subcommand's "command" positional.
  int head = argc;
  for (int i = 2; i < argc; ++i)
    if (std::string_view(argv[i]) == "--") {
      head = i;
      break;
    }
  try {
    app.parse(head, argv);
    if (head < argc && !cmd.empty()) {
      CLI::Option* positional = subs[cmd]->get_option_no_throw("command");
      if (positional == nullptr) throw CLI::ExtrasError("'--' starts a command, but 'netmap " + cmd + "' runs none", CLI::ExitCodes::ExtrasError);
      std::vector<std::string> tail(argv + head + 1, argv + argc);
      if (tail.empty()) {
        // A dangling "--" is a command forgotten: sandbox-dns would otherwise serve as a plain
        // server, and discover ask for capture files.
        print_error(cmd, "'--' is followed by no command",
                    "put the command to run after it, e.g. netmap " + cmd + " -- make test");
        return k_exit_error;
      }
      positional->add_result(tail);
      positional->run_callback();
    }
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e, std::cout, std::cerr);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e, std::cout, std::cerr);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e, std::cout, std::cerr);
  } catch (const CLI::ExtrasError& e) {
    print_error(cmd, e.what(), cmd.empty() ? "see 'netmap --help'" : extras_hint(*subs[cmd], e.what()));
    return k_exit_error;
  } catch (const CLI::ParseError& e) {
    // A mistyped option often surfaces as another error first ("--target is required" for
    // `--tagret`): name the unknown option instead, with its suggestion.
    if (!cmd.empty()) {
      auto known = option_names(*subs[cmd]);
      for (int i = 2; i < head; ++i) {
        std::string word = argv[i];
        if (!word.starts_with("-") || word == "-") continue;
        std::string flag = word.substr(0, word.find('='));
        if (std::find(known.begin(), known.end(), flag) != known.end()) continue;
        if (!word.starts_with("--") && std::find(known.begin(), known.end(), word.substr(0, 2)) != known.end())
          continue; // a short option with its value attached (-ofile)
        auto c = base::closest(flag, known);
        print_error(cmd, "unknown option '" + base::escape_bytes(flag) + "'",
                    c.empty() ? "see 'netmap " + cmd + " --help'" : "did you mean '" + c + "'?");
        return k_exit_error;
      }
    }
    // CLI11 says "names is required" for a missing positional; say what is missing and show where.
    const std::string what = e.what();
    constexpr std::string_view k_required = " is required";
    if (!cmd.empty() && what.ends_with(k_required)) {
      CLI::Option* positional = subs[cmd]->get_option_no_throw(what.substr(0, what.size() - k_required.size()));
      if (positional != nullptr && !positional->nonpositional()) {
        print_error(cmd, "missing " + positional->get_type_name() + ": at least one is required",
                    "usage: netmap " + cmd + " [OPTIONS] " + positional->get_type_name() + "…");
        return k_exit_error;
      }
    }
    print_error(cmd, what, "see 'netmap " + (cmd.empty() ? std::string() : cmd + " ") + "--help'");
    return k_exit_error;
  }
  if (cmd.empty()) {
    std::fputs(short_usage(commands).c_str(), stderr);
    return k_exit_error;
  }
  try {
    return checked_stdout(cmd, runners[cmd]());
  } catch (const base::UserError& e) {
    print_error(cmd, e);
    return k_exit_error;
  } catch (const std::bad_alloc&) {
    print_error(cmd, "out of memory");
    return k_exit_error;
  } catch (const std::exception& e) {
    print_error(cmd, std::string("internal error: ") + e.what(), "please report this as a bug");
    return k_exit_error;
  }
}

} // namespace netmap::cli
