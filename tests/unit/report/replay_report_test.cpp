#include "netmap/report/replay_report.hpp"

#include "netmap/base/clock.hpp"
#include "netmap/policy/policy.hpp"
#include "netmap/policy/rule.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace netmap;
using namespace netmap::report;

namespace {

policy::Matcher make_matcher() {
  policy::Matcher m;
  for (auto [text, action] : {std::pair{"api.example.org", policy::Action::Allow}, std::pair{"evil.example.org", policy::Action::Deny},
                              std::pair{"telemetry.example.org", policy::Action::Mock},
                              std::pair{"noise.example.org", policy::Action::Ignore}}) {
    auto r = policy::parse_rule(text);
    policy::Rule rule = r.value();
    rule.action = action;
    rule.source.origin = "netmap.yaml";
    m.add(std::move(rule));
  }
  return m;
}

inventory::Event ev(inventory::SeenVia via, std::string name, std::string verdict, std::int64_t t = 1000) {
  inventory::Event e;
  e.time_us = t;
  e.via = via;
  e.name = std::move(name);
  e.verdict = std::move(verdict);
  e.producer = "replay";
  return e;
}

// The proxy's 403 for `name` at `t`, to a process running `command`.
void refused_by_proxy(ReplayCollector& c, const char* name, std::int64_t t, const char* command) {
  auto e = ev(inventory::SeenVia::Connect, name, "unlisted", t);
  e.status = 403;
  e.pid = 7;
  e.command = command;
  c.add(e);
}

// The report's failing tests by name.
std::map<std::string, const ReplayFailedTest*> failed_by_name(const ReplayReport& r) {
  std::map<std::string, const ReplayFailedTest*> out;
  for (const auto& t : r.failed_tests) out[t.name] = &t;
  return out;
}

} // namespace

TEST(ReplayReport, FoldsBlockedAttemptsPerDestinationWithTheFix) {
  auto m = make_matcher();
  ReplayCollector c(&m);
  c.add(ev(inventory::SeenVia::Resolver, "api.example.org", "allowed"));
  auto dns_answer = ev(inventory::SeenVia::Resolver, "api.example.org", "allowed");
  dns_answer.address = "192.0.2.7";
  c.add(dns_answer);
  auto blocked = ev(inventory::SeenVia::Resolver, "registry.npmjs.org", "unlisted");
  blocked.pid = 42;
  blocked.command = "npm install";
  c.add(blocked);
  auto refused = ev(inventory::SeenVia::Connect, "registry.npmjs.org", "unlisted");
  refused.status = 403;
  refused.port = 443;
  c.add(refused);
  c.add(ev(inventory::SeenVia::Connect, "evil.example.org", "denied"));
  c.add(ev(inventory::SeenVia::Connect, "telemetry.example.org", "mock"));
  c.add(ev(inventory::SeenVia::Resolver, "noise.example.org", "ignored"));
  auto direct = ev(inventory::SeenVia::Direct, "", "");
  direct.address = "192.0.2.7"; // learned from the resolver's answer: the name is known
  direct.port = 443;
  c.add(direct);
  auto dns_out = ev(inventory::SeenVia::Direct, "", "");
  dns_out.address = "192.0.2.53";
  dns_out.port = 53;
  c.add(dns_out);

  FailureScanner out;
  auto r = c.build({"npm test", 1, 0, "nxdomain", 1.0}, JUnitResult{}, out);
  EXPECT_EQ(r.exit_code(), 1);
  EXPECT_EQ(r.ignored_attempts, 1u);
  EXPECT_TRUE(r.allowed.count("api.example.org"));
  std::map<std::string, const BlockedEntry*> by;
  for (const auto& b : r.blocked) by[b.key()] = &b;
  ASSERT_EQ(by.size(), 5u);
  const auto& npm = *by.at("registry.npmjs.org");
  EXPECT_EQ(npm.via.at("dns"), 1u);
  EXPECT_EQ(npm.via.at("proxy"), 1u);
  EXPECT_EQ(npm.fix_action, "allow");
  EXPECT_EQ(npm.fix_rule, "registry.npmjs.org");
  ASSERT_EQ(npm.processes.size(), 1u);
  EXPECT_EQ(npm.processes[0].command, "npm install");
  EXPECT_EQ(by.at("evil.example.org")->fix_action, "mock");
  EXPECT_NE(by.at("evil.example.org")->fix.find("denied by evil.example.org"), std::string::npos);
  EXPECT_EQ(by.at("telemetry.example.org")->fix_action, "mock");
  EXPECT_EQ(by.at("api.example.org")->via.at("direct"), 1u);
  EXPECT_EQ(by.at("api.example.org")->address, "192.0.2.7");
  EXPECT_EQ(by.at("api.example.org")->fix_action, "use-proxy");
  EXPECT_TRUE(by.at("192.0.2.53")->notes.count("dns query"));
  auto j = replay_to_json(r);
  EXPECT_EQ(j["schema"], "netmap.replay");
  EXPECT_EQ(j["exit_code"], 1);
  EXPECT_FALSE(render_replay_text(r, false).empty());
}

// Without the refusing device a direct TCP attempt goes unnamed, and the report says why once;
// with its process known, or with the device, it says nothing.
TEST(ReplayReport, SaysWhyADirectAttemptWentUnnamed) {
  auto m = make_matcher();
  const std::string why = "open /dev/net/tun: Permission denied; make it readable";
  auto report = [&](bool named, const std::string& missing) {
    ReplayCollector c(&m);
    auto direct = ev(inventory::SeenVia::Direct, "", "");
    direct.address = "192.0.2.1";
    direct.port = 443;
    if (named) direct.pid = 9, direct.command = "curl https://192.0.2.1/";
    c.add(direct);
    FailureScanner out;
    auto r = c.build({"make test", 0, 0, "nxdomain", 1.0}, JUnitResult{}, out);
    r.refusing_device = missing.empty();
    r.refusing_device_missing = missing;
    return r;
  };
  const std::string note = "note: direct attempts are named by process reliably only where the fence can make its refusing device: " + why;
  EXPECT_NE(render_replay_text(report(false, why), false).find(note), std::string::npos);
  EXPECT_EQ(render_replay_text(report(true, why), false).find("note: direct attempts"), std::string::npos);
  EXPECT_EQ(render_replay_text(report(false, ""), false).find("note: direct attempts"), std::string::npos);
  auto j = replay_to_json(report(false, why));
  EXPECT_EQ(j["stats"]["direct_attempts_to"], "loopback");
  EXPECT_EQ(j["stats"]["refusing_device_missing"], why);
  EXPECT_EQ(replay_to_json(report(false, ""))["stats"]["direct_attempts_to"], "device");
}

// A ping is its own kind of direct attempt: no port, and a fix that is not "configure the proxy".
TEST(ReplayReport, APingIsADirectAttemptWithItsOwnFix) {
  auto m = make_matcher();
  ReplayCollector c(&m);
  auto ping = ev(inventory::SeenVia::Direct, "", "");
  ping.address = "192.0.2.9";
  ping.transport = "icmp";
  ping.pid = 11;
  ping.command = "ping -c 1 192.0.2.9";
  c.add(ping);
  FailureScanner out;
  auto r = c.build({"make test", 1, 0, "nxdomain", 1.0}, JUnitResult{}, out);
  ASSERT_EQ(r.blocked.size(), 1u);
  const auto& b = r.blocked.front();
  EXPECT_TRUE(b.ports.empty());
  EXPECT_TRUE(b.notes.count("ping"));
  EXPECT_EQ(b.fix_action, "use-proxy");
  EXPECT_NE(b.fix.find("it pinged"), std::string::npos) << b.fix;
  auto text = render_replay_text(r, false);
  EXPECT_NE(text.find("pings never pass"), std::string::npos) << text;
  EXPECT_EQ(text.find("192.0.2.9:"), text.find("192.0.2.9: it pinged")) << "no port after a ping's address in the table";
}

TEST(ReplayReport, TiesFailingTestsFromJUnitAndOutput) {
  auto m = make_matcher();
  ReplayCollector c(&m);
  c.add(ev(inventory::SeenVia::Resolver, "pypi.org", "unlisted"));
  auto refused = ev(inventory::SeenVia::Connect, "files.example.net", "unlisted");
  refused.status = 403;
  c.add(refused);

  JUnitResult junit;
  parse_junit("<testsuite><testcase classname=\"t\" name=\"test_install\"><failure message=\"x\">"
              "HTTPSConnectionPool(host='pypi.org', port=443): Max retries exceeded (Caused by NameResolutionError("
              "\"Failed to resolve 'pypi.org' ([Errno -2] Name or service not known)\"))</failure></testcase>"
              "<testcase name=\"test_download\"><error>OSError: Tunnel connection failed: 403 Forbidden</error></testcase>"
              "<testcase name=\"test_math\"><failure>assert 1 == 2</failure></testcase></testsuite>",
              "r.xml", junit);
  FailureScanner out;
  out.feed("=== RUN   TestFetch\n    curl: (6) Could not resolve host: pypi.org\n--- FAIL: TestFetch (0.01s)\n"
           "=== RUN   TestOk\n    log: Could not resolve host: pypi.org\n--- PASS: TestOk (0.00s)\n");
  out.finish();
  auto r = c.build({"make test", 2, 0, "nxdomain", 1.0}, junit, out);
  auto tests = failed_by_name(r);
  ASSERT_EQ(tests.size(), 4u);
  EXPECT_EQ(tests.at("t.test_install")->blocked, std::vector<std::string>{"pypi.org"});
  // Names no host, but exactly one destination was refused by the proxy.
  EXPECT_EQ(tests.at("test_download")->blocked, std::vector<std::string>{"files.example.net"});
  EXPECT_TRUE(tests.at("test_math")->blocked.empty());
  EXPECT_EQ(tests.at("TestFetch")->blocked, std::vector<std::string>{"pypi.org"});
  const BlockedEntry* pypi = nullptr;
  for (const auto& b : r.blocked)
    if (b.key() == "pypi.org") pypi = &b;
  ASSERT_NE(pypi, nullptr);
  EXPECT_EQ(pypi->tests, (std::set<std::string>{"TestFetch", "t.test_install"})); // not the passing TestOk
  EXPECT_EQ(r.blocked.front().key(), "pypi.org"); // most explaining first
}

TEST(ReplayReport, NothingBlockedAndPassingIsExitZero) {
  auto m = make_matcher();
  ReplayCollector c(&m);
  c.add(ev(inventory::SeenVia::Connect, "api.example.org", "allowed"));
  FailureScanner out;
  EXPECT_EQ(c.build({"true", 0, 0, "nxdomain", 0.1}, {}, out).exit_code(), 0);
  EXPECT_EQ(c.build({"false", 1, 0, "nxdomain", 0.1}, {}, out).exit_code(), 1);
}

// The output is the whole process group's: a message that names no host goes to the refusal just
// before it, made by a program that could have printed it; never to one that came after it.
TEST(ReplayReport, AHostlessMessageTiesToAnEarlierRefusalOfAProgramThatCouldPrintIt) {
  auto m = make_matcher();
  ReplayCollector c(&m);
  const std::int64_t now = base::now_unix_us();
  auto refusal = [&](const char* name, std::int64_t t, std::int64_t pid, const char* command) {
    auto e = ev(inventory::SeenVia::Connect, name, "unlisted", t);
    e.status = 403;
    e.pid = pid;
    e.command = command;
    c.add(e);
  };
  refusal("urllib.example", now - 2'000'000, 10, "/usr/bin/python3 -m unittest t");
  refusal("curl.example", now - 1'000'000, 11, "curl -s https://curl.example/");
  refusal("later.example", now + 1'000'000, 12, "");
  FailureScanner out;
  out.set_timestamps(true);
  out.feed("urllib.error.URLError: <urlopen error Tunnel connection failed: 403 Forbidden>\n");
  out.feed("error: 403 blocked-by-allowlist\n");
  out.finish();
  auto r = c.build({"make test", 1, 0, "nxdomain", 1.0}, JUnitResult{}, out);
  std::map<std::string, const BlockedEntry*> by;
  for (const auto& b : r.blocked) by[b.key()] = &b;
  ASSERT_EQ(by.at("urllib.example")->evidence.size(), 1u) << "python's message, though curl was refused later";
  EXPECT_EQ(by.at("urllib.example")->evidence[0].tool, "python");
  ASSERT_EQ(by.at("curl.example")->evidence.size(), 1u) << "the last refusal before a message any program may print";
  EXPECT_TRUE(by.at("later.example")->evidence.empty()) << "refused after the message was printed";
}

// CDN addresses are shared: a direct attempt to one cannot say which of its names it meant.
TEST(ReplayReport, ADirectAttemptToASharedAddressNamesEveryCandidate) {
  auto m = make_matcher();
  ReplayCollector c(&m);
  for (const char* name : {"one.example.net", "two.example.net"}) {
    auto answer = ev(inventory::SeenVia::Resolver, name, "allowed");
    answer.address = "203.0.113.20";
    c.add(answer);
  }
  EXPECT_EQ(c.name_for_address("203.0.113.20"), "");
  auto direct = ev(inventory::SeenVia::Direct, "", "");
  direct.address = "203.0.113.20";
  direct.port = 443;
  c.add(direct);
  FailureScanner out;
  out.feed("curl: (7) Failed to connect to two.example.net port 443 after 0 ms: Couldn't connect to server\n");
  out.finish();
  auto r = c.build({"make test", 1, 0, "resolve", 1.0}, JUnitResult{}, out);
  ASSERT_EQ(r.blocked.size(), 1u);
  const auto& b = r.blocked[0];
  EXPECT_EQ(b.key(), "203.0.113.20");
  EXPECT_EQ(b.shared_by, (std::set<std::string>{"one.example.net", "two.example.net"}));
  EXPECT_NE(b.fix.find("one.example.net, two.example.net"), std::string::npos) << b.fix;
  EXPECT_EQ(b.evidence.size(), 1u) << "curl's message names one of the names: it is about this attempt";
  EXPECT_EQ(replay_to_json(r)["blocked"][0]["shared_by"].size(), 2u);
}

// Under --dns-mode resolve the resolver answers every name; only the policy's are "allowed".
TEST(ReplayReport, NamesResolvedOnlyForTheRehearsalAreNotAllowed) {
  auto m = make_matcher();
  ReplayCollector c(&m);
  c.add(ev(inventory::SeenVia::Resolver, "api.example.org", "allowed"));
  auto anything = ev(inventory::SeenVia::Resolver, "cdn.example.net", "allowed");
  anything.address = "192.0.2.9";
  c.add(anything);
  auto direct = ev(inventory::SeenVia::Direct, "", "");
  direct.address = "192.0.2.9";
  direct.port = 443;
  c.add(direct);
  FailureScanner out;
  auto r = c.build({"make test", 1, 0, "resolve", 1.0}, JUnitResult{}, out);
  EXPECT_EQ(r.allowed, (std::set<std::string>{"api.example.org"}));
  EXPECT_EQ(r.allowed_attempts, 1u);
  ASSERT_EQ(r.blocked.size(), 1u);
  EXPECT_EQ(r.blocked[0].name, "cdn.example.net") << "the name is still learned from the answer";
}

// A quiet client (wget -q, getent) prints nothing to match: what was refused while its failing
// test ran explains it, when that is a few destinations.
TEST(ReplayReport, AFailingTestNoMessageExplainsIsTiedToWhatWasRefusedWhileItRan) {
  auto m = make_matcher();
  ReplayCollector c(&m);
  refused_by_proxy(c, "wget.example", 150, "wget -q -O- https://wget.example/x");
  refused_by_proxy(c, "later.example", 260, "curl -s https://later.example/");
  FailureScanner out;
  out.feed_line("test_wget (t.C.test_wget) ... FAIL", 100);
  out.feed_line("test_ok (t.C.test_ok) ... ok", 200);
  out.feed_line("test_quiet (t.C.test_quiet) ... FAIL", 300);
  out.feed_line("FAIL: test_wget (t.C.test_wget)", 400);
  out.feed_line("FAIL: test_quiet (t.C.test_quiet)", 401);
  out.finish();
  auto r = c.build({"python3 -m unittest -v", 1, 0, "nxdomain", 1.0}, JUnitResult{}, out);
  auto tests = failed_by_name(r);
  ASSERT_EQ(tests.size(), 2u);
  EXPECT_EQ(tests.at("t.C.test_wget")->blocked, std::vector<std::string>{"wget.example"});
  EXPECT_TRUE(tests.at("t.C.test_quiet")->blocked.empty()) << "later.example was refused while test_ok ran";
  for (const auto& b : r.blocked)
    if (b.key() == "wget.example") {
      ASSERT_EQ(b.evidence.size(), 1u);
      EXPECT_EQ(b.evidence[0].kind, "refused-during-test");
      EXPECT_EQ(b.evidence[0].tool, "wget");
    }
}

// A line is stamped when netmap reads it: under load the next test's first line is read after
// that test's own refusal, which then falls inside the quiet test's run. A refusal that a message
// already explains is not tied to the quiet test as well (seen in replay_junit_test under load).
TEST(ReplayReport, ARefusalAMessageExplainsIsNotTiedToAnotherTestByRunTime) {
  auto m = make_matcher();
  ReplayCollector c(&m);
  refused_by_proxy(c, "quiet.example", 320, "python3 suite.py");
  refused_by_proxy(c, "registry.example", 450, "python3 suite.py"); // by test_registry, before its first line was read
  FailureScanner out;
  out.feed_line("test_quiet (t.C.test_quiet) ... FAIL", 300);
  out.feed_line("test_registry (t.C.test_registry) ... ERROR", 500);
  out.feed_line("ERROR: test_registry (t.C.test_registry)", 600);
  out.feed_line("urllib.error.HTTPError: HTTP Error 403: Forbidden", 610);
  out.feed_line("FAIL: test_quiet (t.C.test_quiet)", 620);
  out.finish();
  auto r = c.build({"python3 suite.py", 1, 0, "nxdomain", 1.0}, JUnitResult{}, out);
  auto tests = failed_by_name(r);
  ASSERT_EQ(tests.size(), 2u);
  EXPECT_EQ(tests.at("t.C.test_registry")->blocked, std::vector<std::string>{"registry.example"});
  EXPECT_EQ(tests.at("t.C.test_quiet")->blocked, std::vector<std::string>{"quiet.example"});
}

// The fix names the policy file the run read, as check's hints do, not always netmap.yaml.
TEST(ReplayReport, TheFixNamesThePolicyFileTheRunRead) {
  auto m = make_matcher();
  ReplayCollector c(&m, "ci/egress.yaml");
  refused_by_proxy(c, "registry.npmjs.org", 100, "npm ci");
  FailureScanner out;
  auto r = c.build({"npm ci", 1, 0, "nxdomain", 1.0}, JUnitResult{}, out);
  ASSERT_EQ(r.blocked.size(), 1u);
  EXPECT_EQ(r.blocked[0].fix, "add \"registry.npmjs.org\" to allow: in ci/egress.yaml (or mock it in the tests)");
  EXPECT_EQ(policy::fix_file_name(""), "netmap.yaml");
  EXPECT_EQ(policy::fix_file_name("/dev/null"), "netmap.yaml");
}
