// netmap replay [--junit PATH]… -- CMD…: runs CMD fenced the way the sandbox fences it (only the
// restrictive resolver and the allowlisting proxy reachable, from its own namespaces) and reports
// which blocked domain broke which test, with the fix.

#include "commands.hpp"

#include "netmap/base/atomic_file.hpp"
#include "netmap/base/clock.hpp"
#include "netmap/base/error.hpp"
#include "netmap/base/sock_addr.hpp"
#include "netmap/base/text.hpp"
#include "netmap/cli/diagnostics.hpp"
#include "netmap/cli/options.hpp"
#include "netmap/dns/server.hpp"
#include "netmap/inventory/inventory.hpp"
#include "netmap/policy/policy.hpp"
#include "netmap/proxy/host_overrides.hpp"
#include "netmap/proxy/server.hpp"
#include "netmap/report/replay_report.hpp"
#include "netmap/report/replay_sink.hpp"
#include "netmap/sandbox/direct_watch.hpp"
#include "netmap/sandbox/fence.hpp"
#include "netmap/sandbox/output_tee.hpp"
#include "netmap/sandbox/proxy_env.hpp"
#include "netmap/sandbox/socket_owner.hpp"

#include <nlohmann/json.hpp>

#include <csignal>
#include <cstdlib>
#include <exception>
#include <fcntl.h>
#include <iostream>
#include <memory>
#include <string_view>
#include <thread>
#include <unistd.h>

namespace netmap::tools {

namespace {

struct ReplayOptions {
  std::vector<std::string> command;
  std::string dns_mode = "nxdomain";
  std::vector<std::string> junit;
  std::string output;
  std::string events;
  std::vector<std::string> upstreams;
  std::vector<std::string> resolve;
  std::uint16_t proxy_port = 3128;
  std::string sni_mismatch = "block";
  policy::PolicyOverrides policy;
  cli::OutputOptions out;
};

void add_replay(CLI::App& app, ReplayOptions& o) {
  app.add_option("command", o.command, "Command to run inside the fence (after --)")->type_name("CMD");
  app.add_option("--dns-mode", o.dns_mode, "nxdomain: the resolver answers NXDOMAIN for names the policy lacks "
                                           "(the spec's model); resolve: names resolve, only the proxy enforces")
      ->check(CLI::IsMember({"nxdomain", "resolve"}))->capture_default_str();
  app.add_option("--junit", o.junit, "JUnit XML reports the command writes (repeatable; globs), read when it ends")
      ->type_name("PATH");
  app.add_option("-o,--output", o.output, "Write the inventory of every attempt (JSON) to FILE, atomically")->type_name("FILE");
  app.add_option("--events", o.events, "Write every attempt as JSON Lines to FILE (in place when the run ends)")->type_name("FILE");
  app.add_option("--upstream", o.upstreams, "DNS upstreams for allowed names (default: the policy's "
                                            "dns.custom_resolvers, else /etc/resolv.conf)")->type_name("ADDR[:PORT]");
  app.add_option("--resolve", o.resolve, "Connect the proxy's upstream for NAME to ADDR instead of resolving it, "
                                         "like curl --resolve (repeatable)")->type_name("NAME=ADDR");
  app.add_option("--proxy-port", o.proxy_port, "The proxy's port on 127.0.0.1 inside the fence")->capture_default_str();
  app.add_option("--sni-mismatch", o.sni_mismatch, "A tunnel whose TLS server name differs from its CONNECT host: "
                                                   "block (close it, report) or report")
      ->check(CLI::IsMember({"block", "report"}))->capture_default_str();
  cli::add_policy_options(app, o.policy);
  cli::add_output_options(app, o.out);
  app.footer("The command's output streams through as it runs; with --json its stdout goes to stderr so that stdout\n"
             "holds the report alone.\n"
             "Exit status: 0 nothing blocked and the command passed, 1 something blocked or the command failed, 2 error.");
}

// A thread running a server's run(); its exception, if any, is rethrown by join().
class ServerThread {
public:
  template <class Server>
  explicit ServerThread(Server& s) : m_thread([this, &s] {
      try {
        s.run();
      } catch (...) {
        m_failure = std::current_exception();
      }
    }) {}
  void join() {
    if (m_thread.joinable()) m_thread.join();
    if (m_failure) std::rethrow_exception(m_failure);
  }
  ~ServerThread() {
    if (m_thread.joinable()) m_thread.join();
  }

private:
  std::exception_ptr m_failure;
  std::thread m_thread;
};

std::pair<base::Fd, base::Fd> make_pipe() {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) throw base::UserError("cannot create a pipe");
  return {base::Fd(p[0]), base::Fd(p[1])};
}

std::shared_ptr<const policy::Matcher> allow_everything() {
  policy::Matcher m;
  auto r = policy::parse_rule("*");
  policy::Rule rule = r.value();
  rule.source.origin = "--dns-mode resolve";
  m.add(std::move(rule));
  return std::make_shared<const policy::Matcher>(std::move(m));
}

int run_replay(const ReplayOptions& o) {
  if (o.command.empty()) throw base::UserError("no command to run", "put it after '--': netmap replay -- make test");
  if (o.events == "-")
    throw base::UserError("--events needs a file: standard output carries the command's output and the report",
                          "e.g. --events events.jsonl");
  // Flags are checked before the policy is read, so a typo is the only line printed.
  for (const auto& u : o.upstreams) (void)base::require_destination(u, 53, "--upstream");
  base::require_writable(o.output); // not after the suite has run
  base::require_writable(o.events);
  auto overrides = proxy::parse_host_overrides(o.resolve);
  sandbox::check_fence_support();
  auto pol = cli::load_policy(o.policy, "replay");
  auto matcher = std::make_shared<const policy::Matcher>(pol.build_matcher());
  auto upstreams = o.upstreams.empty() ? dns::default_upstreams(pol.custom_resolvers, "/etc/resolv.conf", {}) : o.upstreams;
  proxy::ProxyConfig pcfg;
  pcfg.matcher = matcher;
  pcfg.methods = pol.methods;
  pcfg.upstream = proxy::make_upstream_settings(pol.proxy.http, pol.proxy.https, pol.proxy.no_proxy,
                                                proxy::proxy_environment(), pol.path.empty() ? "policy" : pol.path,
                                                pol.proxy.http_at, pol.proxy.https_at);
  pcfg.sni_mismatch = o.sni_mismatch == "block" ? proxy::SniMismatch::Block : proxy::SniMismatch::Report;
  pcfg.host_overrides = overrides;
  pcfg.refuse_local_upstreams = true; // the fenced code must not reach this machine's services
  // Fixes and the proxy's refusals name the file to edit (netmap.yaml when none was read).
  const std::string policy_name = policy::fix_file_name(pol.path);
  pcfg.policy_name = policy_name;
  pcfg.producer = "replay";
  dns::ServerConfig dcfg;
  dcfg.matcher = o.dns_mode == "resolve" ? allow_everything() : matcher;
  dcfg.upstreams = upstreams;
  dcfg.producer = "replay";

  sandbox::FenceConfig fcfg;
  fcfg.proxy_port = o.proxy_port;
  // NETMAP_REPLAY_TUN=0 builds the fence a machine without /dev/net/tun gets (tests, comparisons).
  const char* tun_env = std::getenv("NETMAP_REPLAY_TUN");
  fcfg.refusing_tun = tun_env == nullptr || std::string_view(tun_env) != "0";
  // Servers are built (and their configs checked) before anything runs in the fence.
  auto sink = std::make_shared<report::ReplaySink>(matcher.get(), fcfg.dns_port, fcfg.proxy_port, o.events, policy_name);
  dcfg.on_event = [sink](const inventory::Event& e) { sink->add(e); };
  pcfg.on_event = [sink](const inventory::Event& e) { sink->add(e); };
  pcfg.on_refusal = [sink](inventory::Event& e) { sink->attribute_proxy_refusal(e); };
  dns::Server resolver(std::move(dcfg));
  proxy::Server proxy_server(std::move(pcfg));
  sandbox::Fence fence(fcfg);
  // With --json stdout carries the report alone; the command's output then goes to stderr.
  auto [out_r, out_w] = make_pipe();
  auto [err_r, err_w] = make_pipe();
  sandbox::ChildSpec spec;
  spec.argv = o.command;
  spec.env = fence.environment(sandbox::current_environment());
  spec.pre_exec = fence.hook();
  spec.stdio = {-1, out_w.get(), err_w.get()};
  std::signal(SIGPIPE, SIG_IGN);
  std::int64_t started_ns = base::monotonic_ns();
  std::int64_t started_us = base::now_unix_us();
  auto child = sandbox::ChildProcess::spawn(spec);
  out_w.reset();
  err_w.reset();
  auto sockets = fence.receive();

  report::FailureScanner scanner;
  std::vector<sandbox::TeeStream> streams;
  streams.push_back({std::move(out_r), o.out.json ? 2 : 1});
  streams.push_back({std::move(err_r), 2});
  sandbox::OutputTee tee(std::move(streams), [&scanner](std::string_view line, std::int64_t first_byte_us) {
    scanner.feed_line(line, first_byte_us);
  });

  sink->set_owners(std::make_unique<sandbox::SocketOwnerFinder>(sockets.netns_inode, child.pid()));
  resolver.add_udp_socket(std::move(sockets.dns_udp));
  resolver.add_tcp_listener(std::move(sockets.dns_tcp));
  proxy_server.add_listener(std::move(sockets.proxy));
  const bool refusing_device = static_cast<bool>(sockets.tun);
  sandbox::DirectWatch watch(std::move(sockets.packet), std::move(sockets.tun),
                             [sink](const sandbox::DirectAttempt& a) { sink->add_direct(a); });
  ServerThread dns_thread(resolver);
  ServerThread proxy_thread(proxy_server);

  auto status = child.wait();
  double duration = static_cast<double>(base::monotonic_ns() - started_ns) / 1e9;
  std::size_t stragglers = sandbox::kill_fenced_processes(sockets.netns_inode);
  if (!tee.finish(2000)) cli::print_warning("replay", "the command's output did not end; stopped reading it");
  scanner.finish();
  watch.stop();
  resolver.stop();
  proxy_server.stop();
  dns_thread.join();
  proxy_thread.join();
  if (stragglers > 0)
    cli::print_note("replay", std::to_string(stragglers) + " process(es) still running in the fence after the command ended were killed");

  report::ReplayOutcome outcome{base::command_text(o.command, 400), status.code, status.signal, o.dns_mode, duration};
  auto junit = report::read_junit(o.junit);
  auto rep = sink->collector().build(outcome, std::move(junit), scanner);
  rep.process_lookups = sink->process_lookups();
  rep.refusing_device = refusing_device;
  rep.refusing_device_missing = sockets.tun_unavailable;
  std::int64_t finished_us = base::now_unix_us();
  if (o.out.json) std::cout << report::replay_to_json(rep).dump(2) << "\n";
  else std::cout << "\n" << report::render_replay_text(rep, cli::use_color(o.out, 1)) << std::flush;
  // Files after the report: a full disk costs the file, not the report.
  if (!o.output.empty()) {
    auto inv = sink->collector().inventory();
    inv.sources.push_back("command:" + base::command_text(o.command));
    inv.started_us = inv.started_us ? std::min(inv.started_us, started_us) : started_us;
    inv.finished_us = finished_us;
    inventory::write_inventory(o.output, inv);
  }
  sink->finish_events();
  return rep.exit_code();
}

} // namespace

cli::Command replay_command() {
  auto opts = std::make_shared<ReplayOptions>();
  return {"replay", "Run a command fenced like the sandbox and report what broke", true,
          [opts](CLI::App& app) -> std::function<int()> {
            add_replay(app, *opts);
            return [opts] { return run_replay(*opts); };
          }};
}

} // namespace netmap::tools
