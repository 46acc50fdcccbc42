// netmap discover: every domain a build contacts, from live traffic (-i), capture files (-r), or
// around a command (-- CMD). The pipeline lives in capture::Session; this file wires flags to it
// and renders the result.

#include "commands.hpp"

#include "netmap/base/atomic_file.hpp"
#include "netmap/base/distinct_paths.hpp"
#include "netmap/base/error.hpp"
#include "netmap/base/interrupt.hpp"
#include "netmap/base/text.hpp"
#include "netmap/capture/event_log.hpp"
#include "netmap/capture/inventory_stream.hpp"
#include "netmap/capture/session.hpp"
#include "netmap/cli/diagnostics.hpp"
#include "netmap/cli/options.hpp"
#include "netmap/report/table.hpp"
#include "netmap/sandbox/child_process.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <unistd.h>

namespace netmap::tools {

namespace {

constexpr int k_default_buffer_mib = 64;

struct DiscoverOptions {
  std::vector<std::string> files;
  std::string interface;
  double duration = 0;
  std::string filter;
  std::string output;
  std::string events;
  int buffer_mib = 0; ///< 0: not given (k_default_buffer_mib)
  bool no_kernel_filter = false;
  std::vector<std::string> command;
  policy::PolicyOverrides policy;
  cli::OutputOptions out;
};

void add_discover(CLI::App& app, DiscoverOptions& o) {
  app.add_option("-r,--read", o.files, "Read pcap/pcapng capture files ('-' = stdin)")->type_name("FILE");
  app.add_option("-i,--interface", o.interface, "Capture live on this interface ('any' = all, loopback included)")
      ->type_name("IFACE");
  // CLI::PositiveNumber's message for 0 reads "not in range 0 to 1.8e308": say what is wanted.
  const CLI::Validator positive(
      [](std::string& text) -> std::string {
        double v = 0;
        try {
          std::size_t used = 0;
          v = std::stod(text, &used);
          if (used != text.size()) return "must be a number of seconds, e.g. 30 or 0.5";
        } catch (const std::exception&) {
          return "must be a number of seconds, e.g. 30 or 0.5";
        }
        return std::isfinite(v) && v > 0 ? "" : "must be greater than 0";
      },
      "SECS > 0");
  app.add_option("--duration", o.duration, "Live: stop after this many seconds")->type_name("SECS")->check(positive);
  app.add_option("--filter", o.filter, "BPF expression (pcap-filter(7)), combined with netmap's kernel filter")
      ->type_name("BPF");
  app.add_option("-o,--output", o.output, "Write the inventory (JSON) to FILE, atomically")->type_name("FILE");
  app.add_option("--events", o.events, "Write each contact as JSON Lines to FILE, atomically")->type_name("FILE");
  app.add_option("--buffer", o.buffer_mib, "Live: kernel capture buffer in MiB")->type_name("MIB")
      ->check(CLI::Range(1, 1024))->default_str(std::to_string(k_default_buffer_mib));
  app.add_flag("--no-kernel-filter", o.no_kernel_filter,
               "Live: copy every packet to netmap, not only those that can carry a name");
  app.add_option("command", o.command, "Command to run while capturing (after --)")->type_name("CMD");
  cli::add_policy_options(app, o.policy);
  cli::add_output_options(app, o.out);
  app.footer("With --json, -o - or --events -, the command's standard output goes to standard error, so that\n"
             "standard output carries the data alone.\n"
             "Exit status: the command's own with --; otherwise 0 ok, 2 usage or runtime error.");
}

// True when standard output carries data (JSON) rather than the table.
bool data_on_stdout(const DiscoverOptions& o) { return o.out.json || o.output == "-" || o.events == "-"; }

void check_modes(const DiscoverOptions& o) {
  const bool files = !o.files.empty();
  if (files && (!o.interface.empty() || !o.command.empty()))
    throw base::UserError("-r reads capture files; it cannot be combined with -i or a command");
  // The live-only options mean nothing to a file: said at once, rather than silently ignored.
  if (files && o.duration > 0) throw base::UserError("--duration applies to live capture, not to -r files");
  if (files && o.buffer_mib != 0) throw base::UserError("--buffer applies to live capture, not to -r files");
  if (files && o.no_kernel_filter)
    throw base::UserError("--no-kernel-filter applies to live capture, not to -r files",
                          "a file holds every packet it was written with; no kernel filter is involved");
  if (std::count(o.files.begin(), o.files.end(), "-") > 1)
    throw base::UserError("-r - (standard input) is given twice", "standard input can be read once; give it one -r -");
  if (!files && o.interface.empty() && o.command.empty())
    throw base::UserError("nothing to capture",
                          "give capture files (-r FILE…), an interface (-i any), or a command (-- make test)");
  // Two documents on one stream would be neither.
  const int on_stdout = (o.out.json ? 1 : 0) + (o.output == "-" ? 1 : 0) + (o.events == "-" ? 1 : 0);
  if (on_stdout > 1)
    throw base::UserError("--json, -o - and --events - each write to standard output; give at most one of them",
                          "write the others to files");
  std::vector<base::PathUse> inputs;
  for (const auto& f : o.files) inputs.push_back({f, "-r"});
  inputs.push_back({o.policy.file, "--policy"});
  const base::PathUse outputs[] = {{o.output, "--output"}, {o.events, "--events"}};
  base::require_distinct(inputs, outputs);
}

std::string verdict_text(const inventory::DomainRecord& d) {
  std::string rule = d.rule.empty() ? "" : d.rule + (d.rule_source.empty() ? "" : " (" + d.rule_source + ")");
  if (d.verdict == "allowed") return "covered by " + rule;
  if (d.verdict == "unlisted") return "needs allowlisting";
  if (d.verdict == "denied") return "denied by " + rule;
  if (d.verdict == "mock") return "must be mocked (" + rule + ")";
  if (d.verdict == "ignored") return "ignored (" + rule + ")";
  if (d.verdict == "invalid") return "not a valid host name";
  return d.verdict;
}

const char* verdict_colour(const std::string& v) {
  if (v == "allowed") return "32";
  if (v == "ignored") return "2";
  if (v == "unlisted" || v == "mock") return "33";
  return "31";
}

template <class Set>
std::string joined(const Set& items, const char* sep = ", ") {
  std::string out;
  for (const auto& x : items) {
    if (!out.empty()) out += sep;
    if constexpr (std::is_same_v<typename Set::value_type, std::string>) out += x;
    else out += std::to_string(x);
  }
  return out;
}

std::string stat(const inventory::Inventory& inv, const std::string& key) { return std::to_string(inv.stat(key)); }

std::vector<std::string> domain_row(const inventory::DomainRecord& d) {
  return {d.name, joined(d.via), joined(d.ports), std::to_string(d.count), verdict_text(d), joined(d.notes, "; ")};
}

void print_table(std::ostream& out, const capture::Findings& found, bool live, bool colour) {
  const inventory::Inventory& inv = found.inventory;
  // Two passes over the compact records (widths, then rows), so a run with 100 k names never
  // holds its table in memory.
  report::StreamedTable domains({"DOMAIN", "SEEN VIA", "PORTS", "COUNT", "VERDICT", "NOTES"});
  found.for_each_domain([&](const inventory::DomainRecord& d) { domains.measure(domain_row(d)); });
  if (found.domains.size() > 0) {
    domains.write_header(out, colour);
    found.for_each_domain([&](const inventory::DomainRecord& d) {
      domains.write_row(out, domain_row(d), {"", "", "", "", verdict_colour(d.verdict), ""}, colour);
    });
  } else {
    out << "No domains seen.\n";
  }
  if (!inv.unnamed.empty()) {
    out << "\nUnnamed destinations (reached by address: no name was seen for them, or the request itself named the "
           "address; a domain allowlist cannot admit them):\n";
    report::Table unnamed({"ADDRESS", "PORT", "PROTOCOL", "COUNT"});
    for (const auto& [key, u] : inv.unnamed)
      unnamed.add_row({u.address, std::to_string(u.port), u.transport, std::to_string(u.count)});
    out << unnamed.render(colour);
  }
  std::string undecodable;
  for (const auto& [k, v] : inv.stats)
    if (k.rfind("undecodable.", 0) == 0 && v > 0)
      undecodable += (undecodable.empty() ? "" : ", ") + k.substr(12) + " " + std::to_string(v);
  out << "\nCapture: " << stat(inv, "packets") << " packets decoded";
  if (live)
    out << ", " << stat(inv, "dropped_kernel") << " dropped by the kernel, " << stat(inv, "dropped_interface")
              << " by the interface";
  out << "\nUndecodable: " << (undecodable.empty() ? "none" : undecodable) << "\n";
  // What makes up names_maybe_lost: drops only where a kernel captured (live), the rest when any.
  std::string parts;
  auto part = [&](const char* key, const char* what, bool always) {
    if (auto n = inv.stat(key); n > 0 || always) parts += (parts.empty() ? "" : ", ") + std::to_string(n) + " " + what;
  };
  part("dropped_kernel", "kernel drops", live);
  part("dropped_interface", "interface drops", false);
  part("evicted_unfinished_flows", "flows evicted unfinished", true);
  part("flows_lost_to_gaps", "flows cut by sequence gaps", false);
  part("address_map_evicted", "addresses evicted from the address map", false);
  part("cut_short_captures", inv.stat("cut_short_captures") == 1 ? "capture cut short" : "captures cut short", false);
  out << "Names that may have been lost: " << stat(inv, "names_maybe_lost") << " (" << parts << ")\n";
}

// The progress line: stderr, only on a terminal, never with --json. Not around a command either:
// the command owns the terminal then, and a line redrawn under its output would garble it.
std::function<void(const capture::Progress&)> progress_line(const DiscoverOptions& o, bool& shown) {
  if (o.out.json || !o.command.empty() || !cli::is_tty(2)) return {};
  return [&shown](const capture::Progress& p) {
    std::fprintf(stderr, "\r\033[Knetmap discover: %llu packets, %llu domains, %llu unnamed, %llu kernel drops",
                 static_cast<unsigned long long>(p.packets), static_cast<unsigned long long>(p.domains),
                 static_cast<unsigned long long>(p.unnamed), static_cast<unsigned long long>(p.dropped_kernel));
    shown = true;
  };
}

// Runs the command while capturing; returns its exit status in the shell's convention.
int capture_around(capture::Session& session, capture::PacketSource& source, const DiscoverOptions& o,
                   capture::RunControl control) {
  sandbox::ChildSpec spec;
  spec.argv = o.command;
  // stdout carries the data then; the command's own output would corrupt it (check -- CMD and
  // replay --json do the same).
  if (data_on_stdout(o)) spec.stdio = {-1, STDERR_FILENO, -1};
  sandbox::ChildProcess child = sandbox::ChildProcess::spawn(spec);
  // The child runs in its own process group; on a terminal, hand it the foreground so it can read
  // the terminal and receives Ctrl-C itself (as a shell would), while netmap keeps capturing.
  const bool own_tty = ::isatty(0) == 1 && ::tcgetpgrp(0) == ::getpgrp();
  if (own_tty) (void)::tcsetpgrp(0, child.pid());
  std::optional<sandbox::ExitStatus> status;
  bool forwarded = false;
  control.finished = [&]() {
    if (!status) status = child.try_wait();
    if (!status && base::stop_requested() && !forwarded) {
      child.signal_group(base::stop_signal()); // SIGTERM or a Ctrl-C sent to netmap alone
      forwarded = true;
    }
    return status.has_value();
  };
  session.capture(source, control);
  if (own_tty) {
    // Take the terminal back; SIGTTOU would stop a background group doing this.
    std::signal(SIGTTOU, SIG_IGN);
    (void)::tcsetpgrp(0, ::getpgrp());
    std::signal(SIGTTOU, SIG_DFL);
  }
  return status ? status->shell_code() : child.wait().shell_code();
}

int run_discover(const DiscoverOptions& o) {
  check_modes(o);
  base::require_writable(o.output);
  base::require_writable(o.events);
  base::install_stop_handlers();
  // Open everything before capturing, so a bad file, filter or permission fails before any work.
  std::vector<capture::PacketSource> sources;
  for (const auto& f : o.files) sources.push_back(capture::PacketSource::open_file(f, o.filter));
  if (o.files.empty()) {
    capture::LiveOptions live;
    live.interface = o.interface.empty() ? "any" : o.interface;
    live.buffer_bytes = (o.buffer_mib != 0 ? o.buffer_mib : k_default_buffer_mib) * 1024 * 1024;
    live.name_filter = !o.no_kernel_filter;
    live.user_filter = o.filter;
    sources.push_back(capture::PacketSource::open_live(live));
  }
  auto pol = cli::load_policy(o.policy, "discover");
  auto matcher = pol.build_matcher();
  std::unique_ptr<capture::EventLog> log;
  if (!o.events.empty()) log = std::make_unique<capture::EventLog>(o.events);

  capture::SessionOptions so;
  so.matcher = &matcher;
  if (log) so.on_event = [&log](const inventory::Event& e) { log->write(e); };
  capture::Session session(so);
  bool progress_shown = false;
  capture::RunControl control;
  control.progress = progress_line(o, progress_shown);
  control.duration_ms = static_cast<std::int64_t>(o.duration * 1000);
  int rc = cli::k_exit_ok;
  if (!o.command.empty()) rc = capture_around(session, sources.front(), o, control);
  else if (o.files.empty()) session.capture(sources.front(), control);
  else
    for (auto& s : sources) session.read(s, control);
  if (progress_shown) std::fputs("\r\033[K", stderr);
  for (const auto& s : sources)
    if (!s.cut_short().empty())
      cli::print_warning("discover", base::printable(s.where()) +
                                         ": the capture ends partway through a packet, as when its writer is killed (" +
                                         s.cut_short() + "); read up to its last whole packet");

  // The domains stay compact and are expanded one record at a time as they are written: with
  // many names, a whole Inventory (or JSON tree) would set the peak memory.
  capture::Findings found = session.finish_findings();
  if (!o.command.empty()) {
    found.inventory.sources.push_back("command:" + base::command_text(o.command));
  }
  if (log) log->commit();
  if (!o.output.empty()) capture::save_inventory(o.output, found);
  if (o.out.json) capture::save_inventory("-", found);
  else if (data_on_stdout(o)) print_table(std::cerr, found, o.files.empty(), cli::use_color(o.out, 2)); // -o -, --events -
  else print_table(std::cout, found, o.files.empty(), cli::use_color(o.out, 1));
  if (base::stop_requested() && o.command.empty())
    cli::print_note("discover", "stopped by signal; the inventory holds everything captured until then");
  return rc;
}

} // namespace

cli::Command discover_command() {
  auto opts = std::make_shared<DiscoverOptions>();
  return {"discover", "Capture a build's traffic and list every domain it contacts", true,
          [opts](CLI::App& app) -> std::function<int()> {
            add_discover(app, *opts);
            return [opts] { return run_discover(*opts); };
          }};
}

} // namespace netmap::tools
