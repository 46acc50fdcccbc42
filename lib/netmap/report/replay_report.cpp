#include "netmap/report/replay_report.hpp"

#include "netmap/policy/domain_name.hpp"

#include <algorithm>
#include <string_view>

namespace netmap::report {

namespace {

constexpr std::size_t k_max_processes = 6;
constexpr std::size_t k_max_evidence = 6;
constexpr std::size_t k_max_entries = 20'000;
constexpr std::size_t k_max_address_names = 65'536;
constexpr std::size_t k_max_names_per_address = 8;
constexpr std::size_t k_max_refusals = 256;
// A failing test that no message explains is tied to what was refused while it ran only when
// that is a few destinations: a test that touched many says nothing about which one broke it.
constexpr std::size_t k_max_tied_by_run = 3;
// A message that names no host is tied to a refusal that came before it: netmap stamps a refusal
// when the attempt arrives, and a line when it reads it from the command's output, which is
// later. The small allowance after covers the two clocks being read on different threads.
constexpr std::int64_t k_tie_before_us = 10'000'000;
constexpr std::int64_t k_tie_after_us = 50'000;
// One attempt can be several refusals close together (getaddrinfo's A and AAAA, a retry).
constexpr std::int64_t k_attempt_burst_us = 1'000'000;

bool hostless_refusal(const FailureMatch& m) {
  return m.kind == FailureKind::ProxyDenied || m.kind == FailureKind::HttpForbidden || m.kind == FailureKind::PolicyAnnotated;
}

bool hostless_dns(const FailureMatch& m) { return m.kind == FailureKind::DnsNotFound; }

std::string_view base_name(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// "python3 pip3" for "/usr/bin/python3 /usr/bin/pip3 install x": the program and, when it is an
// interpreter, the script it runs, which is what the user called.
std::string program_of(std::string_view command) {
  std::string_view first = command.substr(0, command.find(' '));
  std::string out(base_name(first));
  static constexpr std::string_view k_interpreters[] = {"python", "node", "java", "sh", "bash", "env", "perl", "ruby"};
  bool interpreter = std::any_of(std::begin(k_interpreters), std::end(k_interpreters),
                                 [&](std::string_view i) { return out.compare(0, i.size(), i) == 0; });
  if (interpreter && first.size() < command.size()) {
    std::string_view rest = command.substr(first.size() + 1);
    std::string_view second = rest.substr(0, rest.find(' '));
    if (!second.empty() && second.front() != '-') out += " " + std::string(base_name(second));
  }
  return out;
}

// Whether `program` may have printed a message recognised as `tool`'s. Tools whose messages come
// from inside other programs (go, reqwest, a generic resolver error) fit any program.
bool could_print(const std::string& tool, const std::string& program) {
  if (program.empty()) return true;
  static const std::map<std::string, std::vector<std::string>, std::less<>> k_programs{
      {"curl", {"curl", "git", "cargo"}},
      {"git", {"git"}},
      {"python", {"python", "pip"}},
      {"pip", {"python", "pip"}},
      {"node", {"node", "npm", "npx", "yarn", "pnpm"}},
      {"npm", {"node", "npm", "npx"}},
      {"yarn", {"node", "yarn"}},
      {"java", {"java", "mvn", "gradle"}},
      {"maven", {"java", "mvn"}},
      {"gradle", {"java", "gradle"}},
      {"cargo", {"cargo"}},
      {"apt", {"apt", "http"}},
      {"ssh", {"ssh"}},
      {"wget", {"wget"}},
  };
  auto it = k_programs.find(tool);
  if (it == k_programs.end()) return true;
  return std::any_of(it->second.begin(), it->second.end(),
                     [&](const std::string& p) { return program.find(p) != std::string::npos; });
}

// The entry whose refusal (by the proxy, or by the resolver for `dns`) came last before a message
// that names no host, among those made by a program that could have printed it. The output is
// the whole process group's, so time alone would tie python's error to curl's refusal.
BlockedEntry* by_time(std::map<std::string, BlockedEntry>& blocked, const FailureMatch& m, bool dns) {
  BlockedEntry* best = nullptr;
  std::int64_t best_gap = 0;
  for (auto& [key, b] : blocked)
    for (const auto& r : dns ? b.dns_refusals : b.proxy_refusals) {
      if (r.time_us < m.time_us - k_tie_before_us || r.time_us > m.time_us + k_tie_after_us) continue;
      if (!could_print(m.tool, r.program)) continue;
      std::int64_t gap = r.time_us > m.time_us ? r.time_us - m.time_us : m.time_us - r.time_us;
      if (!best || gap < best_gap) {
        best = &b;
        best_gap = gap;
      }
    }
  return best;
}

// Marks the refusals of `b` that the message at `time_us` reports: the last one before it and
// those just ahead of that one. A test that printed nothing cannot be tied to them by run time:
// a line is stamped when netmap reads it, so under load the next test's first line can be read
// after that test's refusal, which then seems to fall inside the quiet test's run.
void claim(BlockedEntry& b, std::int64_t time_us) {
  std::int64_t last = -1;
  for (const auto* list : {&b.proxy_refusals, &b.dns_refusals, &b.direct_refusals})
    for (const auto& r : *list)
      if (r.time_us <= time_us + k_tie_after_us) last = std::max(last, r.time_us);
  if (last < 0) return;
  for (auto* list : {&b.proxy_refusals, &b.dns_refusals, &b.direct_refusals})
    for (auto& r : *list)
      if (r.time_us <= last && r.time_us >= last - k_attempt_burst_us) r.claimed = true;
}

// The last run the output showed of `test` (JUnit may prefix a class or package the runner's
// progress line leaves out, or the other way round).
const OutputTestRun* run_of(const std::vector<OutputTestRun>& runs, const std::string& test) {
  auto ends_with = [](const std::string& s, const std::string& tail) {
    return s.size() > tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0 && s[s.size() - tail.size() - 1] == '.';
  };
  for (auto it = runs.rbegin(); it != runs.rend(); ++it)
    if (it->name == test || ends_with(test, it->name) || ends_with(it->name, test)) return &*it;
  return nullptr;
}

// Ties failing tests that no message explains to the attempts refused while they ran. Clients
// run quietly (wget -q, getent, a test that checks only an exit status) print nothing to match.
void tie_by_run(std::vector<ReplayFailedTest>& tests, std::map<std::string, BlockedEntry>& blocked,
                const std::vector<OutputTestRun>& runs) {
  for (auto& t : tests) {
    if (!t.blocked.empty()) continue;
    const OutputTestRun* run = run_of(runs, t.name);
    if (!run) continue;
    std::vector<std::pair<BlockedEntry*, const ReplayRefusal*>> during;
    for (auto& entry : blocked) {
      BlockedEntry* b = &entry.second;
      for (const auto* list : {&b->proxy_refusals, &b->dns_refusals, &b->direct_refusals})
        for (const auto& r : *list) {
          bool inside = !r.claimed && r.time_us >= run->start_us && (run->end_us == 0 || r.time_us <= run->end_us);
          if (!inside || std::any_of(during.begin(), during.end(), [b](const auto& d) { return d.first == b; })) continue;
          during.emplace_back(b, &r);
        }
    }
    if (during.empty() || during.size() > k_max_tied_by_run) continue;
    for (auto [b, r] : during) {
      t.blocked.push_back(b->key());
      b->tests.insert(t.name);
      if (b->evidence.size() < k_max_evidence)
        b->evidence.push_back({t.name, r->program.empty() ? "unknown" : r->program, "refused-during-test",
                               "refused while " + t.name + " ran" + (r->program.empty() ? "" : " (" + r->program + ")"),
                               "output:" + std::to_string(run->line)});
    }
  }
}

// The name a tunnel really went to when its ClientHello named another server than the CONNECT.
std::string sni_of(const std::string& note) {
  auto p = note.find("sni-mismatch: ");
  if (p == std::string::npos) return {};
  std::string rest = note.substr(p + 14);
  return rest.substr(0, rest.find_first_of(",; "));
}

void set_fix(BlockedEntry& b, const policy::Matcher& m, const std::string& policy_name) {
  const bool direct = b.via.count("direct") != 0 && b.via.size() == 1;
  if (direct) {
    b.fix_action = "use-proxy";
    if (b.notes.count("dns query") != 0)
      b.fix = "it queried a resolver directly: the sandbox answers DNS only through its own resolver; use the system resolver (/etc/resolv.conf)";
    else if (b.ports.empty() && b.notes.count("ping") != 0)
      b.fix = "it pinged: ICMP never passes the sandbox's proxy, so a ping fails there even to an allowed host; "
              "check reachability with an HTTP request through the proxy, or mock it";
    else
      b.fix = "it connected directly, ignoring HTTPS_PROXY (or by hard-coded address): only proxied traffic leaves the sandbox; "
              "configure the client's proxy, or mock it";
    if (!b.name.empty()) b.fix += " (then allow " + b.name + " if it is not)";
    if (b.name.empty() && !b.shared_by.empty()) {
      std::string names;
      for (const auto& n : b.shared_by) names += (names.empty() ? "" : ", ") + n;
      b.fix += " (then allow the one of " + names + " it meant, if it is not)";
    }
    return;
  }
  if (b.verdict == "ip-literal" || (b.name.empty() && !b.address.empty())) {
    b.fix_action = "use-name";
    b.fix = "a bare IP address cannot be allowlisted by name: make the client use a host name, or mock it";
    return;
  }
  if (b.verdict == "local-address") {
    b.fix_action = "mock";
    b.fix = "allowed, but it resolves to an address of this machine, which the sandbox cannot reach: mock it, or "
            "point it at a test server with --resolve NAME=ADDR";
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
    b.fix = "add \"" + b.name + "\" to allow: in " + policy_name + " (or mock it in the tests)";
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

ReplayCollector::ReplayCollector(const policy::Matcher* matcher, std::string policy_name)
    : m_matcher(matcher), m_policy_name(std::move(policy_name)) {}

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
    if (resolver && !e.address.empty() && !e.name.empty()) learn_address(e.address, e.name);
    // Under --dns-mode resolve the resolver answers every name; only the policy's own count as
    // allowed. The proxy's "allowed" is the policy's decision already.
    if (resolver && !e.name.empty() &&
        m_matcher->decide(std::string_view(e.name)).decision != policy::Decision::Allowed)
      return;
    ++m_allowed_attempts;
    if (!e.name.empty()) m_allowed.insert(e.name);
    return;
  }
  if (resolver) return add_blocked(e, "dns");
  if (proxied) return add_blocked(e, "proxy");
  add_blocked(e, "other");
}

void ReplayCollector::learn_address(const std::string& address, const std::string& name) {
  auto it = m_address_names.find(address);
  if (it == m_address_names.end()) {
    if (m_address_names.size() >= k_max_address_names) return;
    it = m_address_names.emplace(address, std::vector<std::string>{}).first;
  }
  auto& names = it->second;
  if (std::find(names.begin(), names.end(), name) == names.end() && names.size() < k_max_names_per_address)
    names.push_back(name);
}

void ReplayCollector::add_blocked(const inventory::Event& e, const std::string& via) {
  std::string name = e.name;
  std::string sni = sni_of(e.note);
  if (!sni.empty() && e.verdict != "allowed") name = sni;
  const std::vector<std::string>* shared = nullptr;
  if (via == "direct" && name.empty()) {
    auto it = m_address_names.find(e.address);
    if (it != m_address_names.end() && it->second.size() == 1) name = it->second.front();
    else if (it != m_address_names.end()) shared = &it->second;
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
  if ((via == "proxy" || via == "dns" || via == "direct") && e.time_us != 0) {
    auto& refusals = via == "proxy" ? b.proxy_refusals : via == "dns" ? b.dns_refusals : b.direct_refusals;
    if (refusals.size() >= k_max_refusals) refusals.erase(refusals.begin());
    refusals.push_back({e.time_us, e.pid > 0 ? program_of(e.command) : std::string()});
  }
  if (!sni.empty()) b.notes.insert("sni-mismatch behind CONNECT " + e.name);
  if (e.verdict == "method-blocked" && !e.method.empty()) b.notes.insert("method " + e.method);
  if (via == "direct" && e.port == 53) b.notes.insert("dns query");
  if (via == "direct" && e.transport == "icmp") b.notes.insert("ping");
  if (shared) b.shared_by.insert(shared->begin(), shared->end());
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
  return it == m_address_names.end() || it->second.size() != 1 ? std::string() : it->second.front();
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
  // A message naming one of the names that share an address is about the attempt to it (unless
  // that name has an entry of its own).
  for (const auto& [key, b] : blocked)
    for (const auto& n : b.shared_by) lookup.emplace(n, key);
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
      b = by_time(blocked, m, hostless_dns(m));
    auto ti = m.test.empty() ? test_index.end() : test_index.find(m.test);
    FailureMatch tied = m;
    if (ti == test_index.end()) tied.test.clear(); // a section of a test that passed
    if (b) add_evidence(*b, tied, "output:" + std::to_string(m.line));
    if (b && m.time_us != 0) claim(*b, m.time_us);
    if (ti == test_index.end()) continue;
    auto& t = r.failed_tests[ti->second];
    if (b) {
      if (std::find(t.blocked.begin(), t.blocked.end(), b->key()) == t.blocked.end()) t.blocked.push_back(b->key());
    } else if (!m.host.empty() && std::find(t.hosts.begin(), t.hosts.end(), m.host) == t.hosts.end()) {
      t.hosts.push_back(m.host);
    }
  }
  tie_by_run(r.failed_tests, blocked, output.runs());
  for (auto& [key, b] : blocked) {
    set_fix(b, *m_matcher, m_policy_name);
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
