#include "netmap/report/replay_report.hpp"

#include "netmap/policy/domain_name.hpp"

#include <algorithm>

namespace netmap::report {

namespace {

constexpr std::size_t k_max_processes = 6;
constexpr std::size_t k_max_evidence = 6;
constexpr std::size_t k_max_entries = 20'000;
constexpr std::size_t k_max_address_names = 65'536;
constexpr std::size_t k_max_proxy_times = 256;
// A client prints its error about when the proxy refused it; the proxy logs the refusal when the
// connection closes, which can be a little after the client printed.
constexpr std::int64_t k_tie_before_us = 10'000'000;
constexpr std::int64_t k_tie_after_us = 2'000'000;

bool hostless_refusal(const FailureMatch& m) {
  return m.kind == FailureKind::ProxyDenied || m.kind == FailureKind::HttpForbidden || m.kind == FailureKind::PolicyAnnotated;
}

bool hostless_dns(const FailureMatch& m) { return m.kind == FailureKind::DnsNotFound; }

// The entry refused (by the proxy, or by the resolver for `dns`) closest in time to a message
// that names no host.
BlockedEntry* by_time(std::map<std::string, BlockedEntry>& blocked, std::int64_t t, bool dns) {
  BlockedEntry* best = nullptr;
  std::int64_t best_gap = 0;
  for (auto& [key, b] : blocked)
    for (auto when : dns ? b.dns_times : b.proxy_times) {
      if (when < t - k_tie_before_us || when > t + k_tie_after_us) continue;
      std::int64_t gap = when > t ? when - t : t - when;
      if (!best || gap < best_gap) {
        best = &b;
        best_gap = gap;
      }
    }
  return best;
}


// The name a tunnel really went to when its ClientHello named another server than the CONNECT.
std::string sni_of(const std::string& note) {
  auto p = note.find("sni-mismatch: ");
  if (p == std::string::npos) return {};
  std::string rest = note.substr(p + 14);
  return rest.substr(0, rest.find_first_of(",; "));
}

void set_fix(BlockedEntry& b, const policy::Matcher& m) {
  const bool direct = b.via.count("direct") != 0 && b.via.size() == 1;
  if (direct) {
    b.fix_action = "use-proxy";
    b.fix = b.notes.count("dns query") != 0
                ? "it queried a resolver directly: the sandbox answers DNS only through its own resolver; use the system resolver (/etc/resolv.conf)"
                : "it connected directly, ignoring HTTPS_PROXY (or by hard-coded address): only proxied traffic leaves the sandbox; "
                  "configure the client's proxy, or mock it";
    if (!b.name.empty()) b.fix += " (then allow " + b.name + " if it is not)";
    return;
  }
  if (b.verdict == "ip-literal" || (b.name.empty() && !b.address.empty())) {
    b.fix_action = "use-name";
    b.fix = "a bare IP address cannot be allowlisted by name: make the client use a host name, or mock it";
    return;
  }
  if (b.verdict == "method-blocked") {
    b.fix_action = "methods";
    b.fix = "the policy's methods: list does not admit this method; the sandbox would refuse it too";
    return;
  }
  if (b.verdict == "invalid") {
    b.fix_action = "review";
    b.fix = "not a valid host name; the client sent something no allowlist can admit";
    return;
  }
  auto v = b.name.empty() ? policy::Verdict{} : m.decide(std::string_view(b.name));
  if (v.decision == policy::Decision::Denied) {
    b.fix_action = "mock";
    b.fix = "denied by " + (v.rule ? v.rule->text() + " (" + v.rule->source.str() + ")" : std::string("a deny rule")) +
            ": mock it in the tests, or drop the deny rule";
  } else if (v.decision == policy::Decision::Mock) {
    b.fix_action = "mock";
    b.fix = "the policy says tests must mock it (" + (v.rule ? v.rule->text() + ", " + v.rule->source.str() : std::string()) +
            "): mock it in the failing tests";
  } else {
    b.fix_action = "allow";
    b.fix_rule = b.name;
    b.fix = "add \"" + b.name + "\" to allow: in netmap.yaml (or mock it in the tests)";
  }
}

void add_evidence(BlockedEntry& b, const FailureMatch& m, const std::string& source) {
  if (!m.test.empty()) b.tests.insert(m.test);
  if (b.evidence.size() >= k_max_evidence) return;
  for (const auto& e : b.evidence)
    if (e.text == m.text && e.test == m.test) return;
  b.evidence.push_back({m.test, m.tool, failure_kind_name(m.kind), m.text, source});
}

} // namespace

ReplayCollector::ReplayCollector(const policy::Matcher* matcher) : m_matcher(matcher) {}

void ReplayCollector::add(const inventory::Event& e) {
  std::lock_guard lock(m_mutex);
  m_inventory.add(e);
  const bool resolver = e.via == inventory::SeenVia::Resolver;
  const bool proxied = e.via == inventory::SeenVia::Connect || e.via == inventory::SeenVia::Proxy;
  const bool direct = e.via == inventory::SeenVia::Direct;
  if (e.verdict == "ignored") {
    ++m_ignored_attempts;
    return;
  }
  if (direct) return add_blocked(e, "direct");
  const bool blocked = e.verdict != "allowed" || (proxied && e.status == 403);
  if (!blocked) {
    ++m_allowed_attempts;
    if (!e.name.empty()) m_allowed.insert(e.name);
    if (resolver && !e.address.empty() && m_address_names.size() < k_max_address_names)
      m_address_names.emplace(e.address, e.name);
    return;
  }
  if (resolver) return add_blocked(e, "dns");
  if (proxied) return add_blocked(e, "proxy");
  add_blocked(e, "other");
}

void ReplayCollector::add_blocked(const inventory::Event& e, const std::string& via) {
  std::string name = e.name;
  std::string sni = sni_of(e.note);
  if (!sni.empty() && e.verdict != "allowed") name = sni;
  if (via == "direct" && name.empty()) {
    auto it = m_address_names.find(e.address);
    if (it != m_address_names.end()) name = it->second;
  }
  std::string key = name.empty() ? e.address : name;
  if (key.empty()) key = "(unnamed)";
  auto it = m_blocked.find(key);
  if (it == m_blocked.end()) {
    if (m_blocked.size() >= k_max_entries) return;
    it = m_blocked.emplace(key, BlockedEntry{}).first;
    it->second.name = name;
    it->second.address = name.empty() ? e.address : std::string();
  }
  BlockedEntry& b = it->second;
  ++b.via[via];
  ++b.attempts;
  if (e.port != 0) b.ports.insert(e.port);
  if (via == "direct" && !e.address.empty()) b.address = e.address;
  if (b.verdict.empty() || via != "direct") b.verdict = via == "direct" ? "direct" : e.verdict;
  if (!e.rule.empty() && sni.empty()) { // with an SNI mismatch the rule decided the CONNECT host
    b.rule = e.rule;
    b.rule_source = e.rule_source;
  }
  if ((via == "proxy" || via == "dns") && e.time_us != 0) {
    auto& times = via == "proxy" ? b.proxy_times : b.dns_times;
    if (times.size() >= k_max_proxy_times) times.erase(times.begin());
    times.push_back(e.time_us);
  }
  if (!sni.empty()) b.notes.insert("sni-mismatch behind CONNECT " + e.name);
  if (e.verdict == "method-blocked" && !e.method.empty()) b.notes.insert("method " + e.method);
  if (via == "direct" && e.port == 53) b.notes.insert("dns query");
  if (e.pid > 0 && b.processes.size() < k_max_processes &&
      std::none_of(b.processes.begin(), b.processes.end(), [&](const ReplayProcess& p) { return p.pid == e.pid; }))
    b.processes.push_back({e.pid, e.command});
}

inventory::Inventory ReplayCollector::inventory() const {
  std::lock_guard lock(m_mutex);
  inventory::Inventory inv = m_inventory;
  inv.apply_policy(*m_matcher);
  return inv;
}

std::string ReplayCollector::name_for_address(const std::string& address) const {
  std::lock_guard lock(m_mutex);
  auto it = m_address_names.find(address);
  return it == m_address_names.end() ? std::string() : it->second;
}

ReplayReport ReplayCollector::build(const ReplayOutcome& outcome, JUnitResult junit, const FailureScanner& output) const {
  ReplayReport r;
  r.outcome = outcome;
  std::map<std::string, BlockedEntry> blocked;
  {
    std::lock_guard lock(m_mutex);
    blocked = m_blocked;
    r.allowed = m_allowed;
    r.allowed_attempts = m_allowed_attempts;
    r.ignored_attempts = m_ignored_attempts;
  }
  // A message names a host or an address; direct entries answer to both.
  std::map<std::string, std::string> lookup;
  for (const auto& [key, b] : blocked) {
    lookup[key] = key;
    if (!b.address.empty()) lookup.emplace(b.address, key);
  }
  auto find = [&](const std::string& host) -> BlockedEntry* {
    auto it = lookup.find(host);
    return it == lookup.end() ? nullptr : &blocked.at(it->second);
  };

  // A report's message that names no host can only mean the one destination refused that way.
  BlockedEntry* only_proxied = nullptr;
  BlockedEntry* only_resolved = nullptr;
  std::size_t proxied = 0, resolved = 0;
  for (auto& [key, b] : blocked) {
    if (b.via.count("proxy") != 0) {
      ++proxied;
      only_proxied = &b;
    }
    if (b.via.count("dns") != 0) {
      ++resolved;
      only_resolved = &b;
    }
  }
  if (proxied != 1) only_proxied = nullptr;
  if (resolved != 1) only_resolved = nullptr;
  // Failing tests: JUnit cases first (their own text), then tests only the output names.
  std::map<std::string, std::size_t> test_index;
  for (const auto& c : junit.failed) {
    ReplayFailedTest t{c.name, c.file, c.message, {}, {}};
    for (auto m : match_failures(c.text)) {
      m.test = c.name;
      BlockedEntry* b = find(m.host);
      if (!b && m.host.empty() && hostless_refusal(m)) b = only_proxied;
      if (!b && m.host.empty() && hostless_dns(m)) b = only_resolved;
      if (b) {
        add_evidence(*b, m, c.file);
        if (std::find(t.blocked.begin(), t.blocked.end(), b->key()) == t.blocked.end()) t.blocked.push_back(b->key());
      } else if (!m.host.empty() && std::find(t.hosts.begin(), t.hosts.end(), m.host) == t.hosts.end()) {
        t.hosts.push_back(m.host);
      }
    }
    test_index.emplace(t.name, r.failed_tests.size());
    r.failed_tests.push_back(std::move(t));
  }
  for (const auto& f : output.failed_tests())
    if (test_index.emplace(f.name, r.failed_tests.size()).second)
      r.failed_tests.push_back({f.name, "output", {}, {}, {}});
  for (const auto& m : output.matches()) {
    BlockedEntry* b = find(m.host);
    if (!b && (m.host.empty() || m.host_from_context) && m.time_us != 0 && (hostless_refusal(m) || hostless_dns(m)))
      b = by_time(blocked, m.time_us, hostless_dns(m));
    auto ti = m.test.empty() ? test_index.end() : test_index.find(m.test);
    FailureMatch tied = m;
    if (ti == test_index.end()) tied.test.clear(); // a section of a test that passed
    if (b) add_evidence(*b, tied, "output:" + std::to_string(m.line));
    if (ti == test_index.end()) continue;
    auto& t = r.failed_tests[ti->second];
    if (b) {
      if (std::find(t.blocked.begin(), t.blocked.end(), b->key()) == t.blocked.end()) t.blocked.push_back(b->key());
    } else if (!m.host.empty() && std::find(t.hosts.begin(), t.hosts.end(), m.host) == t.hosts.end()) {
      t.hosts.push_back(m.host);
    }
  }
  for (auto& [key, b] : blocked) {
    set_fix(b, *m_matcher);
    r.blocked.push_back(std::move(b));
  }
  std::stable_sort(r.blocked.begin(), r.blocked.end(), [](const BlockedEntry& a, const BlockedEntry& b) {
    if (a.tests.size() != b.tests.size()) return a.tests.size() > b.tests.size();
    if (a.attempts != b.attempts) return a.attempts > b.attempts;
    return a.key() < b.key();
  });
  junit.failed.clear();
  r.junit = std::move(junit);
  r.output_lines = output.lines();
  r.matches_dropped = output.dropped();
  return r;
}

} // namespace netmap::report
