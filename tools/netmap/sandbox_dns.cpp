// netmap sandbox-dns [--listen ADDR]… [-- CMD…]: the restrictive resolver alone, as a server until
// Ctrl-C, or around a command whose /etc/resolv.conf (in a private mount namespace) names it.

#include "commands.hpp"

#include "netmap/base/atomic_file.hpp"
#include "netmap/base/clock.hpp"
#include "netmap/base/error.hpp"
#include "netmap/base/interrupt.hpp"
#include "netmap/base/sock_addr.hpp"
#include "netmap/base/text.hpp"
#include "netmap/capture/event_log.hpp"
#include "netmap/cli/diagnostics.hpp"
#include "netmap/cli/options.hpp"
#include "netmap/dns/server.hpp"
#include "netmap/dns/summary_text.hpp"
#include "netmap/inventory/inventory.hpp"
#include "netmap/sandbox/child_process.hpp"
#include "netmap/sandbox/resolv_conf.hpp"

#include <nlohmann/json.hpp>

#include <poll.h>
#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace netmap::tools {

namespace {

/// Where the resolver listens for a command: port 53 (glibc's stub knows no other) on a loopback
/// address that nothing else uses by convention (systemd-resolved has 127.0.0.53 and .54).
constexpr const char* k_command_resolver = "127.53.0.1";
constexpr int k_flush_ms = 50; // how stale `--log` may be on disk while the server runs
// Without a log to flush, the main thread still looks this often: a server failure raises the
// stop flag without a signal to wake it.
constexpr int k_idle_ms = 250;

struct SandboxDnsOptions {
  std::vector<std::string> listen;
  std::vector<std::string> upstreams;
  std::string cname_policy = "report";
  std::string block_rcode = "nxdomain";
  std::vector<std::string> allow_from;
  std::uint32_t rate_limit = 0;
  unsigned threads = 1;
  unsigned timeout_ms = 1500;
  std::string log;
  std::string output;
  std::vector<std::string> command;
  policy::PolicyOverrides policy;
  cli::OutputOptions out;
};

void add_sandbox_dns(CLI::App& app, SandboxDnsOptions& o) {
  app.footer("Exit status: the command's own with --; otherwise 0 after a clean stop, 2 usage or runtime error.");
  app.add_option("--listen", o.listen, std::string("Serve UDP and TCP on ADDR[:PORT] (repeatable; default ") +
                                           dns::k_default_listen + ", or " + k_command_resolver + ":53 with -- CMD)")
      ->type_name("ADDR");
  app.add_option("--upstream", o.upstreams, "Forward allowed names to ADDR[:PORT] (repeatable; default: the "
                                            "policy's dns.custom_resolvers, else /etc/resolv.conf)")
      ->type_name("ADDR");
  app.add_option("--cname-policy", o.cname_policy, "Alias targets outside the policy: report (answer, report) or strict (block)")
      ->check(CLI::IsMember({"report", "strict"}))->capture_default_str();
  app.add_option("--block-rcode", o.block_rcode, "Answer blocked names with nxdomain or refused")
      ->check(CLI::IsMember({"nxdomain", "refused"}))->capture_default_str();
  app.add_option("--allow-from", o.allow_from, "Also serve clients in CIDR (default: loopback only)")->type_name("CIDR");
  app.add_option("--rate-limit", o.rate_limit, "Queries per second per client address (0: unlimited)")->capture_default_str();
  app.add_option("--threads", o.threads, "Worker threads, one SO_REUSEPORT socket each")->check(CLI::Range(1, 64))->capture_default_str();
  app.add_option("--timeout", o.timeout_ms, "Upstream timeout per attempt, in milliseconds (then SERVFAIL)")
      ->check(CLI::Range(10, 60000))->capture_default_str();
  app.add_option("--log", o.log, "Write every query as an event (JSON Lines) to FILE ('-' for stdout)")->type_name("FILE");
  app.add_option("-o,--output", o.output, "Write the inventory (JSON) to FILE at the end, atomically")->type_name("FILE");
  app.add_option("command", o.command, "Command to run with the resolver as its only DNS (after --)")->type_name("CMD");
  cli::add_policy_options(app, o.policy);
  cli::add_output_options(app, o.out);
}

volatile std::sig_atomic_t g_reload = 0;
volatile std::sig_atomic_t g_counters = 0;

void on_signal(int sig) {
  if (sig == SIGHUP) g_reload = 1;
  if (sig == SIGUSR1) g_counters = 1;
}

void install_control_handlers() {
  struct sigaction sa{};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGHUP, &sa, nullptr);
  sigaction(SIGUSR1, &sa, nullptr);
}

/// Everything the event sink writes to; called from the server's threads. A log that cannot be
/// written (a full disk) is dropped whole and stops the run, which then ends with that error.
struct Sink {
  std::mutex mu;
  std::optional<capture::EventLog> log;
  std::optional<inventory::Inventory> inv;

  void operator()(const inventory::Event& e) {
    std::lock_guard lock(mu);
    if (inv) inv->add(e);
    if (log && !log->try_write(e)) base::request_stop(SIGTERM); // around a command, it is asked to stop too
  }
  /// Hands the buffered lines to the kernel, so a streamed log (--log -) shows them at once.
  void flush() {
    std::lock_guard lock(mu);
    if (log && !log->try_flush()) base::request_stop(SIGTERM);
  }
  /// Puts the log in place; throws the write error instead when there was one.
  void commit() {
    std::lock_guard lock(mu);
    if (log) log->commit();
  }
};

std::shared_ptr<const policy::Matcher> build_matcher(const SandboxDnsOptions& o, policy::Policy* pol_out) {
  auto pol = cli::load_policy(o.policy, "sandbox-dns");
  auto m = std::make_shared<const policy::Matcher>(pol.build_matcher());
  if (pol_out) *pol_out = std::move(pol);
  return m;
}

void reload(const SandboxDnsOptions& o, dns::Server& server) {
  try {
    server.reload(build_matcher(o, nullptr));
    cli::print_note("sandbox-dns", "policy reloaded");
  } catch (const base::UserError& e) {
    cli::print_error("sandbox-dns", e);
    cli::print_warning("sandbox-dns", "the new policy is broken; still serving the previous one");
  }
}

dns::ServerConfig make_config(const SandboxDnsOptions& o, const policy::Policy& pol,
                              std::shared_ptr<const policy::Matcher> matcher, const std::vector<std::string>& listen) {
  dns::ServerConfig cfg;
  cfg.matcher = std::move(matcher);
  cfg.upstreams = o.upstreams.empty() ? dns::default_upstreams(pol.custom_resolvers, "/etc/resolv.conf", listen) : o.upstreams;
  cfg.cname_policy = o.cname_policy == "strict" ? dns::CnamePolicy::Strict : dns::CnamePolicy::Report;
  cfg.block_rcode = o.block_rcode == "refused" ? dns::BlockRcode::Refused : dns::BlockRcode::NxDomain;
  cfg.allow_from = o.allow_from;
  cfg.rate_limit_qps = o.rate_limit;
  cfg.threads = o.threads;
  cfg.upstream_timeout = std::chrono::milliseconds(o.timeout_ms);
  // The main thread stops the server: at once when serving alone, and around a command once the
  // command (which Ctrl-C goes to) has exited. Idle workers need not poll the stop flag.
  cfg.stop_on_signal = false;
  return cfg;
}

void open_outputs(const SandboxDnsOptions& o, Sink& sink) {
  if (!o.log.empty()) sink.log.emplace(o.log);
  if (!o.output.empty()) sink.inv.emplace();
}

/// The command's side: the private resolv.conf and the child; nothing when there is no command.
struct CommandRun {
  std::unique_ptr<sandbox::TempFile> resolv;
  sandbox::ChildProcess child;
};

void check_command_privileges() {
  auto missing = sandbox::missing_resolver_capabilities();
  if (missing.empty()) return;
  std::string which;
  for (const auto& m : missing) which += (which.empty() ? "" : " and ") + m;
  throw base::UserError("'sandbox-dns -- CMD' needs root or " + which +
                            " (a private mount namespace for /etc/resolv.conf, and port 53 for its resolver)",
                        "'netmap replay -- CMD' runs a command in the same DNS fence without privileges");
}

CommandRun start_command(const SandboxDnsOptions& o) {
  CommandRun run;
  std::string host;
  try {
    host = base::read_file("/etc/resolv.conf", 1 << 20);
  } catch (const base::UserError&) {
    // No host resolv.conf: ours is then the whole file.
  }
  run.resolv = std::make_unique<sandbox::TempFile>("/tmp", sandbox::resolv_conf_text(host, {k_command_resolver}));
  sandbox::ChildSpec spec;
  spec.argv = o.command;
  std::string path = run.resolv->path();
  spec.pre_exec = [path] { return sandbox::bind_resolv_conf(path); };
  spec.forward_signals = false; // we forward ourselves while polling
  run.child = sandbox::ChildProcess::spawn(spec);
  return run;
}

// Until Ctrl-C/SIGTERM (or the command's exit): SIGHUP reloads, SIGUSR1 prints the counters, and
// a stop signal is passed on to the command, which we keep serving until it has exited.
std::optional<sandbox::ExitStatus> supervise(const SandboxDnsOptions& o, dns::Server& server, Sink& sink,
                                             std::optional<CommandRun>& cmd) {
  int forwarded = 0;
  for (;;) {
    // Wakes at once for the command's exit or a signal (the serving threads block them), else
    // after k_flush_ms with a log to flush, k_idle_ms without.
    const int wake_ms = sink.log ? k_flush_ms : k_idle_ms;
    if (cmd)
      (void)cmd->child.wait_for(wake_ms);
    else
      (void)::poll(nullptr, 0, wake_ms);
    if (g_reload) {
      g_reload = 0;
      reload(o, server);
    }
    if (g_counters) {
      g_counters = 0;
      std::fputs(dns::format_counters(server.counters()).c_str(), stderr);
    }
    sink.flush();
    if (cmd) {
      if (base::stop_requested() && forwarded != base::stop_signal()) {
        forwarded = base::stop_signal();
        cmd->child.signal_group(forwarded ? forwarded : SIGTERM);
      }
      if (auto status = cmd->child.try_wait()) return status;
    } else if (base::stop_requested()) {
      return std::nullopt;
    }
  }
}

// The inventory (-o) and the summary (text or JSON): stdout, or stderr when stdout carries
// something else.
void write_results(const SandboxDnsOptions& o, const dns::Server& server, Sink& sink, const policy::Matcher& matcher,
                   std::int64_t started) {
  auto summary = server.summary();
  auto counters = server.counters();
  bool with_command = !o.command.empty();
  sink.commit();
  if (sink.inv) {
    std::lock_guard lock(sink.mu);
    std::string where;
    for (const auto& a : server.local_addresses()) where += (where.empty() ? "" : ",") + a;
    sink.inv->started_us = started;
    sink.inv->finished_us = base::now_unix_us();
    sink.inv->sources.push_back(with_command ? "command:" + base::command_text(o.command) : "sandbox-dns:" + where);
    sink.inv->stats["resolver.queries"] += counters.queries;
    sink.inv->stats["resolver.blocked"] += counters.blocked;
    sink.inv->stats["resolver.upstream_errors"] += counters.upstream_errors;
    sink.inv->apply_policy(matcher);
    inventory::write_inventory(o.output, *sink.inv);
  }
  // Standard output may already carry the command's output, the query log or the inventory.
  bool to_err = with_command || o.log == "-" || o.output == "-";
  std::string text = o.out.json ? dns::summary_json(summary, counters, server.local_addresses()).dump(2) + "\n"
                                : dns::render_summary(summary, counters, cli::use_color(o.out, to_err ? 2 : 1));
  (to_err ? std::cerr : std::cout) << text << std::flush;
}

// Address flags are checked before the policy is loaded, so a typo is the only line printed.
void validate_addresses(const SandboxDnsOptions& o) {
  for (const auto& l : o.listen) (void)base::require_sockaddr(l, dns::k_default_port, "--listen");
  for (const auto& u : o.upstreams) (void)base::require_destination(u, 53, "--upstream");
  for (const auto& c : o.allow_from)
    if (!base::parse_cidr(c))
      throw base::UserError("--allow-from '" + base::escape_bytes(c) + "' is not an address block",
                            "write e.g. 10.0.0.0/8 or fd00::/8");
}

int run_sandbox_dns(const SandboxDnsOptions& o) {
  bool with_command = !o.command.empty();
  validate_addresses(o);
  if (with_command) check_command_privileges();
  base::require_writable(o.output);
  auto sink = std::make_shared<Sink>();
  open_outputs(o, *sink); // before the policy too: an unwritable file is then the only line
  policy::Policy pol;
  auto matcher = build_matcher(o, &pol);
  std::vector<std::string> listen = o.listen;
  if (with_command) listen.insert(listen.begin(), std::string(k_command_resolver) + ":53");
  if (listen.empty()) listen.push_back(dns::k_default_listen);

  dns::ServerConfig cfg = make_config(o, pol, matcher, listen);
  if (!o.log.empty() || !o.output.empty()) cfg.on_event = [sink](const inventory::Event& e) { (*sink)(e); };
  std::vector<std::string> upstreams = cfg.upstreams;
  dns::Server server(std::move(cfg));
  for (const auto& l : listen) server.listen(l);
  std::string where;
  for (const auto& a : server.local_addresses()) where += (where.empty() ? "" : ", ") + a;
  std::string ups;
  for (const auto& u : upstreams) ups += (ups.empty() ? "" : ", ") + u;
  cli::print_note("sandbox-dns", "serving " + where + " (udp, tcp); upstreams " + ups + "; " +
                                     std::to_string(matcher->size()) + " rules");

  base::install_stop_handlers();
  install_control_handlers();
  std::int64_t started = base::now_unix_us();
  // The command starts before the serving threads: fork() in a single-threaded process is safe
  // for the pre-exec hook, and the bound sockets queue its first queries until run() reads them.
  std::optional<CommandRun> cmd;
  if (with_command) cmd = start_command(o);
  std::exception_ptr failure;
  // Signals go to this thread, whose wait they cut short; the serving threads inherit the mask.
  sigset_t ours, saved;
  sigemptyset(&ours);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGUSR1}) sigaddset(&ours, sig);
  pthread_sigmask(SIG_BLOCK, &ours, &saved);
  std::thread serving([&] {
    try {
      server.run();
    } catch (...) {
      failure = std::current_exception();
      base::request_stop(SIGTERM); // around a command, the command is asked to stop too
    }
  });
  pthread_sigmask(SIG_SETMASK, &saved, nullptr);
  std::optional<sandbox::ExitStatus> status = supervise(o, server, *sink, cmd);
  server.stop();
  serving.join();
  if (failure) std::rethrow_exception(failure);

  write_results(o, server, *sink, *matcher, started);
  if (status) return status->shell_code();
  return cli::k_exit_ok;
}

} // namespace

cli::Command sandbox_dns_command() {
  auto opts = std::make_shared<SandboxDnsOptions>();
  return {"sandbox-dns", "Serve the restrictive resolver alone, or around a command", true,
          [opts](CLI::App& app) -> std::function<int()> {
            add_sandbox_dns(app, *opts);
            return [opts] { return run_sandbox_dns(*opts); };
          }};
}

} // namespace netmap::tools
