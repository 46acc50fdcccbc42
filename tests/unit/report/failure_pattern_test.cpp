#include "netmap/report/failure_pattern.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace netmap::report;

namespace {

struct Case {
  const char* line;
  const char* tool;
  FailureKind kind;
  const char* host;
};

FailureMatch one(const std::string& text) {
  auto m = match_failures(text);
  EXPECT_EQ(m.size(), 1u) << text;
  return m.empty() ? FailureMatch{} : m.front();
}

} // namespace

// Each client's messages, as sandbox-semantics.md §3.1 records them.
TEST(FailurePattern, EachClientsMessagesNameTheirHost) {
  const Case cases[] = {
      {"npm error network request to https://registry.npmjs.org/left-pad failed, reason: getaddrinfo ENOTFOUND registry.npmjs.org",
       "npm", FailureKind::DnsNotFound, "registry.npmjs.org"},
      {"npm ERR! getaddrinfo EAI_AGAIN registry.npmjs.org registry.npmjs.org:443", "npm", FailureKind::DnsTemporary,
       "registry.npmjs.org"},
      {"WARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after connection broken by "
       "'NewConnectionError('<pip._vendor.urllib3.connection.HTTPSConnection object at 0x7f>: Failed to establish a new "
       "connection: [Errno -2] Name or service not known')': /simple/requests/",
       "pip", FailureKind::DnsNotFound, ""},
      {"requests.exceptions.ConnectionError: HTTPSConnectionPool(host='pypi.org', port=443): Max retries exceeded with url: "
       "/simple/ (Caused by NameResolutionError(\"<urllib3.connection.HTTPSConnection object at 0x7f>: Failed to resolve "
       "'pypi.org' ([Errno -2] Name or service not known)\"))",
       "python", FailureKind::DnsNotFound, "pypi.org"},
      {"HTTPSConnectionPool(host='files.pythonhosted.org', port=443): Max retries exceeded (Caused by ProxyError('Unable to "
       "connect to proxy', OSError('Tunnel connection failed: 403 Forbidden')))",
       "python", FailureKind::ProxyDenied, "files.pythonhosted.org"},
      {"warning: spurious network error (2 tries remaining): [6] Couldn't resolve host name (Could not resolve host: "
       "index.crates.io)",
       "cargo", FailureKind::DnsNotFound, "index.crates.io"},
      {"go: example.com/m@v1.0.0: Get \"https://proxy.golang.org/example.com/m/@v/v1.0.0.mod\": dial tcp: lookup "
       "proxy.golang.org on 127.0.0.1:53: no such host",
       "go", FailureKind::DnsNotFound, "proxy.golang.org"},
      {"dial tcp: lookup sum.golang.org on 127.0.0.1:53: server misbehaving", "go", FailureKind::DnsTemporary,
       "sum.golang.org"},
      {"[ERROR] Could not transfer artifact g:a:pom:1 from/to central (https://repo.maven.apache.org/maven2): Unknown host "
       "repo.maven.apache.org: Name or service not known",
       "maven", FailureKind::DnsNotFound, "repo.maven.apache.org"},
      {"Caused by: java.net.UnknownHostException: plugins.gradle.org: Temporary failure in name resolution", "java",
       FailureKind::DnsTemporary, "plugins.gradle.org"},
      {"Exception in thread \"main\" java.net.UnknownHostException: services.gradle.org", "java", FailureKind::DnsNotFound,
       "services.gradle.org"},
      {"Unknown host 'services.gradle.org'. You may need to adjust the proxy settings in Gradle.", "gradle",
       FailureKind::DnsNotFound, "services.gradle.org"},
      {"java.io.IOException: Unable to tunnel through proxy. Proxy returns \"HTTP/1.1 403 Forbidden\"", "java",
       FailureKind::ProxyDenied, ""},
      {"  Could not resolve 'archive.ubuntu.com'", "apt", FailureKind::DnsNotFound, "archive.ubuntu.com"},
      {"  Temporary failure resolving 'security.ubuntu.com'", "apt", FailureKind::DnsTemporary, "security.ubuntu.com"},
      {"fatal: unable to access 'https://github.com/o/r.git/': Could not resolve host: github.com", "git",
       FailureKind::DnsNotFound, "github.com"},
      {"fatal: unable to access 'https://github.com/o/r.git/': CONNECT tunnel failed, response 403", "git",
       FailureKind::ProxyDenied, "github.com"},
      {"curl: (6) Could not resolve host: example.com", "curl", FailureKind::DnsNotFound, "example.com"},
      {"curl: (7) Failed to connect to example.com port 443 after 44 ms: Could not connect to server", "curl",
       FailureKind::ConnectRefused, "example.com"},
      {"Error: getaddrinfo ENOTFOUND api.example.com", "node", FailureKind::DnsNotFound, "api.example.com"},
      {"Error: connect ECONNREFUSED 192.0.2.1:443", "node", FailureKind::ConnectRefused, "192.0.2.1"},
      {"ssh: Could not resolve hostname github.com: Name or service not known", "ssh", FailureKind::DnsNotFound,
       "github.com"},
      {"npm error 403 403 Forbidden - GET https://registry.npmjs.org/left-pad", "npm", FailureKind::HttpForbidden,
       "registry.npmjs.org"},
      {"Get \"https://proxy.golang.org/x/@v/list\": Forbidden", "go", FailureKind::HttpForbidden, "proxy.golang.org"},
      {"dial tcp 192.0.2.1:443: connect: connection refused", "go", FailureKind::ConnectRefused, "192.0.2.1"},
      // Found by running the clients inside the fence.
      {"java.io.IOException: Tunnel failed, got: 403", "java", FailureKind::ProxyDenied, ""},
      {"Proxy tunneling failed: ForbiddenUnable to establish SSL connection.", "wget", FailureKind::ProxyDenied, ""},
      {"  [56] Failure when receiving data from the peer (CONNECT tunnel failed, response 403)", "cargo",
       FailureKind::ProxyDenied, ""},
      {"socket.gaierror: [Errno -2] Name or service not known", "python", FailureKind::DnsNotFound, ""},
  };
  for (const auto& c : cases) {
    auto m = one(c.line);
    EXPECT_EQ(m.tool, c.tool) << c.line;
    EXPECT_EQ(failure_kind_name(m.kind), std::string(failure_kind_name(c.kind))) << c.line;
    EXPECT_EQ(m.host, c.host) << c.line;
  }
}

TEST(FailurePattern, PortsAndNoMatch) {
  EXPECT_EQ(one("curl: (7) Failed to connect to example.com port 8443 after 1 ms: Couldn't connect to server").port, 8443);
  EXPECT_EQ(one("Error: connect ECONNREFUSED 192.0.2.1:443").port, 443);
  EXPECT_TRUE(match_failures("all 12 tests passed\nok  \texample.com/m\t0.01s\n").empty());
  EXPECT_TRUE(match_failures("Connection refused? no: lookup table built").empty());
}

TEST(FailurePattern, HostlessProxyDenialTakesTheNearestUrl) {
  auto m = match_failures("Downloading https://downloads.example.org/tool.tgz\nsome progress\n"
                          "curl: (56) CONNECT tunnel failed, response 403\n");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].host, "downloads.example.org");
  EXPECT_TRUE(m[0].host_from_context);
  EXPECT_EQ(m[0].line, 3u);
  auto v = match_failures("* Establish HTTP proxy tunnel to blocked.example:443\n> CONNECT blocked.example:443 HTTP/1.1\n"
                          "curl: (56) CONNECT tunnel failed, response 403\n");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].host, "blocked.example");
}

TEST(FailurePattern, NormalizesHosts) {
  EXPECT_EQ(normalize_host("Registry.NPMJS.org."), "registry.npmjs.org");
  EXPECT_EQ(normalize_host("registry.npmjs.org:443"), "registry.npmjs.org");
  EXPECT_EQ(normalize_host("[2001:db8::1]:443"), "2001:db8::1");
  EXPECT_EQ(normalize_host("2001:db8::1"), "2001:db8::1");
  EXPECT_EQ(normalize_host("'pypi.org'"), "pypi.org");
  EXPECT_EQ(normalize_host("ex\x1b[31mample.com"), "");
  EXPECT_EQ(normalize_host("999.1.1.1"), "");
  EXPECT_EQ(normalize_host(""), "");
  EXPECT_EQ(normalize_host(std::string(300, 'a')), "");
}

TEST(FailureScanner, TiesMatchesToTheTestSectionsOfCommonRunners) {
  FailureScanner s;
  s.feed("======================================================================\n"
         "ERROR: test_fetch (tests.test_net.NetTest.test_fetch)\n"
         "----------------------------------------------------------------------\n"
         "Traceback (most recent call last):\n"
         "urllib.error.URLError: <urlopen error Tunnel connection failed: 403 Forbidden> https://blocked.example/x\n"
         "\n----------------------------------------------------------------------\nRan 2 tests in 0.1s\n"
         "=== RUN   TestModules\n    mod_test.go:12: Get \"https://proxy.golang.org/x\": dial tcp: lookup proxy.golang.org on 127.0.0.1:53: no such host\n"
         "--- FAIL: TestModules (0.00s)\n"
         "---- tests::download stdout ----\n"
         "thread panicked: [6] Couldn't resolve host name (Could not resolve host: static.crates.io)\n");
  // A chunk split in the middle of a line, and a last line with no newline.
  s.feed("FAILED tests/test_api.py::test_get - requests.exceptions.ConnectionError: HTTPSConnectionPool(host='api.exa");
  s.feed("mple.com', port=443): Max retries exceeded (Caused by NameResolutionError(\"Failed to resolve 'api.example.com'\"))");
  s.finish();
  const auto& m = s.matches();
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m[0].test, "tests.test_net.NetTest.test_fetch");
  EXPECT_EQ(m[0].host, "blocked.example");
  EXPECT_EQ(m[1].test, "TestModules");
  EXPECT_EQ(m[1].host, "proxy.golang.org");
  EXPECT_EQ(m[2].test, "tests::download");
  EXPECT_EQ(m[2].host, "static.crates.io");
  EXPECT_EQ(m[3].test, "tests/test_api.py::test_get");
  EXPECT_EQ(m[3].host, "api.example.com");
  std::vector<std::string> failed;
  for (const auto& f : s.failed_tests()) failed.push_back(f.name);
  EXPECT_EQ(failed, (std::vector<std::string>{"tests.test_net.NetTest.test_fetch", "TestModules", "tests::download",
                                              "tests/test_api.py::test_get"}));
}

TEST(FailureScanner, UnittestHeadersAreIdentifiersOnly) {
  FailureScanner s;
  s.feed("ERROR: Could not find a version that satisfies the requirement requests (from versions: none)\n"
         "ERROR: No matching distribution found for requests\n"
         "FAIL: test_sub (tests.test_net.NetTest.test_sub) (i=1)\n"
         "ERROR: test_old (tests.test_net.NetTest)\n"
         "FAILED (failures=1, errors=2)\n");
  s.finish();
  std::vector<std::string> failed;
  for (const auto& f : s.failed_tests()) failed.push_back(f.name);
  EXPECT_EQ(failed, (std::vector<std::string>{"tests.test_net.NetTest.test_sub", "tests.test_net.NetTest.test_old"}))
      << "pip's error is no test, nor unittest's closing summary; a subtest keeps its test's name";
}

TEST(FailureScanner, HostileOutputStaysBoundedAndLinear) {
  FailureScanner s(8);
  std::string huge(5'000'000, 'x');
  s.feed(huge); // one 5 MB line, no newline
  s.feed("\n");
  for (int i = 0; i < 100; ++i) s.feed("curl: (6) Could not resolve host: a" + std::to_string(i) + ".example\n");
  s.feed(std::string("\x1b[31mnpm ERR!\x1b[0m getaddrinfo ENOTFOUND \x1b[1mcolour.example\x1b[0m\n"));
  const char binary[] = "\0\xff\xfe getaddrinfo ENOTFOUND \xc3\x28.example\n";
  s.feed(std::string(binary, sizeof binary - 1));
  s.finish();
  EXPECT_EQ(s.matches().size(), 8u);
  EXPECT_EQ(s.dropped(), 92u + 1u);
  EXPECT_EQ(s.lines(), 103u);
  auto c = match_failures("\x1b[31mnpm ERR!\x1b[0m getaddrinfo ENOTFOUND \x1b[1mcolour.example\x1b[0m\n");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].host, "colour.example");
  EXPECT_EQ(c[0].tool, "npm");
}

// Live output, timed line by line: a test runs from the line that starts it to the next one.
TEST(FailureScanner, TimedOutputMarksEachTestsRun) {
  FailureScanner s;
  s.feed_line("test_wget (test_clients.Clients.test_wget) ... FAIL", 100);
  s.feed_line("test_pip (test_clients.Clients) ... Looking in indexes: https://pypi.example/simple", 200);
  s.feed_line("ok", 250);
  s.feed_line("======================================================================", 300);
  s.feed_line("FAIL: test_wget (test_clients.Clients.test_wget)", 301);
  s.feed_line("=== RUN   TestFetch", 400);
  s.feed_line("--- FAIL: TestFetch (0.01s)", 450);
  s.finish();
  const auto& runs = s.runs();
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].name, "test_clients.Clients.test_wget");
  EXPECT_EQ(runs[0].start_us, 100);
  EXPECT_EQ(runs[0].end_us, 200);
  EXPECT_EQ(runs[1].name, "test_clients.Clients.test_pip");
  EXPECT_EQ(runs[1].end_us, 300) << "the failure details begin after the last test ran";
  EXPECT_EQ(runs[2].name, "TestFetch");
  EXPECT_EQ(runs[2].start_us, 400);
  EXPECT_EQ(runs[2].end_us, 450);
  FailureScanner parallel;
  parallel.feed_line("=== RUN   TestA", 1);
  parallel.feed_line("=== PAUSE TestA", 2);
  parallel.feed_line("=== RUN   TestB", 3);
  EXPECT_TRUE(parallel.runs().empty()) << "parallel go tests overlap: time cannot tell them apart";
}
