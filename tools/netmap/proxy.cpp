// netmap proxy: the allowlisting CONNECT/HTTP proxy alone, on loopback by default, until Ctrl-C;
// then a summary of allowed and blocked hosts. Events as JSON Lines (--log), inventory (-o).

#include "commands.hpp"

#include "netmap/base/atomic_file.hpp"
#include "netmap/base/sock_addr.hpp"
#include "netmap/base/error.hpp"
#include "netmap/base/interrupt.hpp"
#include "netmap/base/text.hpp"
#include "netmap/capture/event_log.hpp"
#include "netmap/cli/diagnostics.hpp"
#include "netmap/cli/options.hpp"
#include "netmap/inventory/inventory.hpp"
#include "netmap/proxy/host_overrides.hpp"
#include "netmap/proxy/server.hpp"
#include "netmap/report/table.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <optional>

namespace netmap::tools {

namespace {

struct ProxyOptions {
  std::vector<std::string> listen;
  std::vector<std::string> methods;
  std::string upstream;
  std::string no_proxy;
  bool no_upstream = false;
  bool refuse_local = false;
  std::string rate_requests = "0";
  std::string rate_bytes = "0";
  std::string buffer = "64k";
  double idle_timeout_s = 300;
  double connect_timeout_s = 10;
  std::size_t max_connections = 20'000;
  std::vector<std::string> allow_from;
  std::string sni_mismatch = "report";
  int threads = 1;
  std::vector<std::string> resolve;
  std::string log;
  std::string output;
  policy::PolicyOverrides policy;
  cli::OutputOptions out;
};

void add_proxy(CLI::App& app, ProxyOptions& o) {
  app.add_option("--listen", o.listen, "Address to listen on, ADDR:PORT (repeatable; default 127.0.0.1:3128)")
      ->type_name("ADDR:PORT")->expected(1)->take_all();
  app.add_option("--methods", o.methods, "Allowed HTTP methods (overrides the policy's methods:); CONNECT must be listed for HTTPS")
      ->type_name("METHOD")->delimiter(',')->expected(1)->take_all();
  app.add_option("--upstream", o.upstream, "Parent proxy http://[user:pass@]host:port for all traffic (default: the policy's proxy:, then HTTPS_PROXY/HTTP_PROXY)")
      ->type_name("URL");
  app.add_option("--no-proxy", o.no_proxy, "Hosts that bypass the parent proxy (default: the policy's, then NO_PROXY)")->type_name("LIST");
  app.add_flag("--no-upstream", o.no_upstream, "Connect directly even when the environment names a proxy");
  app.add_flag("--refuse-local", o.refuse_local,
               "Refuse allowed names that resolve to this machine (loopback, link-local such as the cloud metadata address)");
  app.add_option("--rate-requests", o.rate_requests, "Requests per second per destination host; excess gets 429 (0 = unlimited)")
      ->type_name("N")->capture_default_str();
  app.add_option("--rate-bytes", o.rate_bytes, "Bytes per second per destination host, e.g. 500k, 2M (0 = unlimited)")
      ->type_name("N")->capture_default_str();
  app.add_option("--buffer", o.buffer, "Relay buffer per direction per connection (backpressure beyond it), e.g. 64k")
      ->type_name("SIZE")->capture_default_str();
  app.add_option("--idle-timeout", o.idle_timeout_s, "Close connections idle this many seconds")->type_name("SEC")->capture_default_str();
  app.add_option("--connect-timeout", o.connect_timeout_s, "Give up connecting upstream after this many seconds")->type_name("SEC")->capture_default_str();
  app.add_option("--max-connections", o.max_connections, "Refuse clients beyond this many open connections")->capture_default_str();
  app.add_option("--allow-from", o.allow_from, "Also accept clients from this network (loopback always; repeatable)")
      ->type_name("CIDR")->expected(1)->take_all();
  app.add_option("--sni-mismatch", o.sni_mismatch, "A tunnel whose TLS server name differs from its CONNECT host: report, or block (when that name is not allowed)")
      ->check(CLI::IsMember({"report", "block"}))->capture_default_str();
  app.add_option("--threads", o.threads, "Event-loop threads")->check(CLI::Range(1, 64))->capture_default_str();
  app.add_option("--resolve", o.resolve, "Connect NAME to ADDR instead of resolving it (tests; repeatable; also NETMAP_PROXY_HOSTS=hosts-file)")
      ->type_name("NAME=ADDR")->expected(1)->take_all();
  app.add_option("--log", o.log, "Write every request as an event, JSON Lines")->type_name("FILE");
  app.add_option("-o,--output", o.output, "Write the inventory of contacted hosts (JSON)")->type_name("FILE");
  cli::add_policy_options(app, o.policy);
  cli::add_output_options(app, o.out);
}

// "500k", "2M", "1.5G", "100" → bytes (powers of 1024, as curl's --limit-rate).
double parse_amount(const std::string& text, const std::string& flag) {
  std::string t(base::trim(text));
  double mult = 1;
  if (!t.empty()) {
    char suffix = static_cast<char>(t.back() | 0x20);
    if (suffix == 'k' || suffix == 'm' || suffix == 'g') {
      mult = suffix == 'k' ? 1024.0 : suffix == 'm' ? 1048576.0 : 1073741824.0;
      t.pop_back();
    }
  }
  double v = -1;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || p != t.data() + t.size() || v < 0)
    throw base::UserError(flag + " '" + base::escape_bytes(text) + "' is not a number", "e.g. " + flag + " 100 or 500k");
  return v * mult;
}

std::map<std::string, std::string> overrides(const ProxyOptions& o) {
  std::map<std::string, std::string> out;
  if (const char* f = std::getenv("NETMAP_PROXY_HOSTS"); f && *f) out = proxy::parse_hosts_file(base::read_file(f, 64 << 20), f);
  for (auto& [name, addr] : proxy::parse_host_overrides(o.resolve)) out[name] = addr;
  return out;
}

// What the flags alone decide; checked before the policy is read, so a typo is the only line printed.
proxy::ProxyConfig flag_config(const ProxyOptions& o) {
  proxy::ProxyConfig c;
  for (const auto& a : o.listen) (void)base::require_sockaddr(a, proxy::k_default_port, "--listen");
  if (!o.upstream.empty() && !o.no_upstream) // its scheme and address, whatever the policy adds
    (void)proxy::make_upstream_settings(o.upstream, o.upstream, o.no_proxy, {}, "--upstream");
  c.limits.requests_per_s = parse_amount(o.rate_requests, "--rate-requests");
  c.limits.bytes_per_s = parse_amount(o.rate_bytes, "--rate-bytes");
  c.buffer_bytes = static_cast<std::size_t>(parse_amount(o.buffer, "--buffer"));
  if (c.buffer_bytes < 4096 || c.buffer_bytes > (64u << 20))
    throw base::UserError("--buffer must be between 4k and 64M", "64k suits most loads");
  c.sni_mismatch = o.sni_mismatch == "block" ? proxy::SniMismatch::Block : proxy::SniMismatch::Report;
  for (const auto& a : o.allow_from) {
    auto cidr = base::parse_cidr(a);
    if (!cidr) throw base::UserError("--allow-from '" + base::escape_bytes(a) + "' is not a network", "e.g. 10.0.0.0/8 or fd00::/8");
    c.allow_from.push_back(*cidr);
  }
  c.host_overrides = overrides(o);
  c.refuse_local_upstreams = o.refuse_local;
  c.idle_timeout_ms = static_cast<int>(o.idle_timeout_s * 1000);
  c.connect_timeout_ms = static_cast<int>(o.connect_timeout_s * 1000);
  c.max_connections = o.max_connections;
  c.threads = o.threads;
  return c;
}

// What the policy adds: the matcher, its methods and its parent proxy (where no flag overrides them).
void apply_policy(proxy::ProxyConfig& c, const ProxyOptions& o, const policy::Policy& pol) {
  c.matcher = std::make_shared<const policy::Matcher>(pol.build_matcher());
  for (const auto& m : o.methods.empty() ? pol.methods : o.methods) {
    std::string up;
    for (char ch : base::trim(m)) up += static_cast<char>(ch >= 'a' && ch <= 'z' ? ch - 32 : ch);
    if (!up.empty()) c.methods.push_back(up);
  }
  if (!o.no_upstream) {
    std::string http = o.upstream.empty() ? pol.proxy.http : o.upstream;
    std::string https = o.upstream.empty() ? pol.proxy.https : o.upstream;
    std::string np = o.no_proxy.empty() ? pol.proxy.no_proxy : o.no_proxy;
    bool from_policy = o.upstream.empty();
    c.upstream = proxy::make_upstream_settings(http, https, np, proxy::proxy_environment(),
                                               from_policy ? (pol.path.empty() ? "policy" : pol.path) : "--upstream",
                                               from_policy ? pol.proxy.http_at : base::Location{},
                                               from_policy ? pol.proxy.https_at : base::Location{});
  }
  c.policy_name = pol.path.empty() ? "netmap.yaml" : pol.path;
}

/// Per-host totals for the summary printed at the end.
struct HostTotals {
  std::uint64_t allowed = 0, blocked = 0, up = 0, down = 0;
  std::string verdict, why;
};

void print_summary(const std::map<std::string, HostTotals>& hosts, const proxy::ProxyStats& st, const cli::OutputOptions& out) {
  if (out.json) {
    nlohmann::json j{{"accepted", st.accepted}, {"requests", st.requests}, {"allowed", st.allowed}, {"blocked", st.blocked},
                     {"rate_limited", st.rate_limited}, {"bad_requests", st.bad_requests},
                     {"upstream_errors", st.upstream_errors}, {"sni_mismatches", st.sni_mismatches},
                     {"refused_clients", st.refused_clients}, {"bytes_up", st.bytes_up}, {"bytes_down", st.bytes_down},
                     {"spliced", st.spliced}, {"accept_pauses", st.accept_pauses}, {"hosts", nlohmann::json::array()}};
    for (const auto& [h, t] : hosts)
      j["hosts"].push_back({{"host", h}, {"allowed", t.allowed}, {"blocked", t.blocked}, {"bytes_up", t.up},
                            {"bytes_down", t.down}, {"verdict", t.verdict}, {"why", t.why}});
    std::cout << j.dump(2) << "\n";
    return;
  }
  report::Table table({"HOST", "ALLOWED", "BLOCKED", "UP", "DOWN", "WHY"});
  bool colour = cli::use_color(out, 1);
  for (const auto& [h, t] : hosts) {
    table.add_row({h, std::to_string(t.allowed), std::to_string(t.blocked), std::to_string(t.up), std::to_string(t.down), t.why});
    if (t.blocked > 0) table.colour_last(2, "31");
  }
  std::cout << table.render(colour);
  std::cout << st.requests << " requests: " << st.allowed << " allowed, " << st.blocked << " blocked, " << st.rate_limited
            << " rate-limited, " << st.bad_requests << " malformed, " << st.upstream_errors << " upstream errors; "
            << st.bytes_up << " bytes up, " << st.bytes_down << " bytes down";
  if (st.sni_mismatches) std::cout << "; " << st.sni_mismatches << " SNI mismatches";
  if (st.refused_clients) std::cout << "; " << st.refused_clients << " clients refused";
  std::cout << "\n";
}

int run_proxy(const ProxyOptions& o) {
  auto config = flag_config(o);
  base::require_writable(o.output);
  std::optional<capture::EventLog> log;
  if (!o.log.empty()) log.emplace(o.log);
  apply_policy(config, o, cli::load_policy(o.policy, "proxy"));
  std::map<std::string, HostTotals> hosts;
  inventory::Inventory inv;
  config.on_event = [&](const inventory::Event& e) { // serialized by the server
    if (log) log->write(e);
    inv.add(e);
    auto& t = hosts[e.name.empty() ? e.address : e.name];
    // Allowed by policy and not refused by the proxy itself (403 method/SNI, 429 rate limit, 508).
    bool ok = e.verdict == "allowed" && e.status != 403 && e.status != 429 && e.status != 508;
    (ok ? t.allowed : t.blocked) += 1;
    t.up += e.bytes_up;
    t.down += e.bytes_down;
    t.verdict = e.verdict;
    t.why = e.rule.empty() ? (e.note.empty() ? e.verdict : e.note) : e.verdict + " by " + e.rule;
  };
  proxy::Server server(std::move(config));
  std::vector<std::string> addrs = o.listen.empty() ? std::vector<std::string>{"127.0.0.1:" + std::to_string(proxy::k_default_port)} : o.listen;
  for (const auto& a : addrs) {
    std::string bound = server.listen(a);
    cli::print_note("proxy", "listening on " + bound);
  }
  base::install_stop_handlers();
  server.run();
  auto st = server.stats();
  if (log) log->commit();
  if (!o.output.empty()) {
    inv.sources.push_back("proxy:" + addrs.front());
    inventory::write_inventory(o.output, inv);
  }
  print_summary(hosts, st, o.out);
  return cli::k_exit_ok;
}

} // namespace

cli::Command proxy_command() {
  auto opts = std::make_shared<ProxyOptions>();
  return {"proxy", "Serve the allowlisting CONNECT proxy alone (loopback by default)", false,
          [opts](CLI::App& app) -> std::function<int()> {
            add_proxy(app, *opts);
            return [opts] { return run_proxy(*opts); };
          }};
}

} // namespace netmap::tools
