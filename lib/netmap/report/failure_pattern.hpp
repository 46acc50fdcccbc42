#pragma once
// Client error messages that mean "the network fence stopped me", and the host each one names:
// npm, pip/requests/urllib3, go, cargo, maven, gradle, Java, apt, git, curl, wget, Node, ssh, reqwest
// (reference: sandbox-semantics.md §3). Plain substring scanning, no regex: the input is a
// command's output, which may hold megabyte lines, and must cost linear time.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace netmap::report {

/// What kind of block a message shows.
enum class FailureKind {
  DnsNotFound,     ///< NXDOMAIN family: ENOTFOUND, [Errno -2], no such host, Could not resolve
  DnsTemporary,    ///< the resolver itself failed: EAI_AGAIN, [Errno -3], server misbehaving
  ConnectRefused,  ///< TCP refused or unreachable (direct attempts inside the fence)
  ProxyDenied,     ///< CONNECT answered 403 (tunnel failed, Unable to tunnel, Proxy response 403)
  HttpForbidden,   ///< an HTTP 403 through the proxy or from the origin
  PolicyAnnotated, ///< an explicit sandbox marker: blocked-by-allowlist, x-deny-reason, (dns block)
};

/// A test name from a suite's output or JUnit report as reports show it: printable, at most 400 bytes.
[[nodiscard]] std::string shown_test_name(std::string_view name);

/// "dns-notfound", "dns-temporary", "connect-refused", "proxy-denied", "http-403", "policy".
[[nodiscard]] const char* failure_kind_name(FailureKind k) noexcept;

/// One message recognized in a line of output.
struct FailureMatch {
  std::string tool;        ///< "curl", "git", "npm", "node", "pip", "python", "go", "cargo", "maven", "gradle", "java", "apt", "ssh", "rust", "wget", "yarn", "unknown"
  FailureKind kind = FailureKind::DnsNotFound;
  std::string host;        ///< the host the message names (lowercase, no port; escaped); may be empty
  std::uint16_t port = 0;  ///< a port the message names, 0 when none
  bool host_from_context = false; ///< the host came from a nearby line's URL, not this line
  std::size_t line = 0;    ///< 1-based line number in the scanned text
  std::string text;        ///< the line, escaped and cut to a readable length
  std::string test;        ///< the failing test whose output section held the line, if known
  std::int64_t time_us = 0; ///< when a streaming scanner saw the line (0 for text scanned at once)
};

/// A test the output says failed (unittest, pytest, go test, cargo test, maven surefire).
struct OutputTestFailure {
  std::string name;        ///< as the runner prints it ("test_x (pkg.Class)" → "pkg.Class.test_x")
  std::size_t line = 0;    ///< where the runner reported it
};

/// A test's run as live output shows it: from the first byte of the line that started it
/// (unittest's "test_x (pkg.C.test_x) ... ", go's "=== RUN   TestX") to the start of the line that
/// ended it or started the next. Attempts refused inside it were made while it ran.
struct OutputTestRun {
  std::string name;         ///< named as OutputTestFailure names it
  std::int64_t start_us = 0;
  std::int64_t end_us = 0;  ///< 0 while open: through the end of the output
  std::size_t line = 0;     ///< where it started
};

/// Recognizes one line; `context` holds the preceding lines (newest last) for host-less messages.
/// Returns nothing when the line is not a network failure. Never throws on any input.
[[nodiscard]] std::vector<FailureMatch> match_line(std::string_view line, const std::deque<std::string>& context);

/// Streams a command's output: splits lines (bounded length), matches failures, and tracks the
/// test sections of common runners so each match can name the test it belongs to. Bounded memory.
class FailureScanner {
public:
  /// Keeps at most `max_matches` matches and failed tests (the rest are only counted).
  explicit FailureScanner(std::size_t max_matches = 4096);
  /// Stamps each following match with the wall-clock time its line arrived (live output), so a
  /// message that names no host can be tied to the refusal the proxy logged at that moment.
  void set_timestamps(bool on) noexcept { m_timestamps = on; }
  /// Feeds a chunk of output (any split, any bytes).
  void feed(std::string_view chunk);
  /// Feeds one whole line (without its newline) whose first byte arrived at `first_byte_us`:
  /// live output, timed as it came (implies set_timestamps(true)).
  void feed_line(std::string_view line, std::int64_t first_byte_us);
  /// Flushes a last line without newline.
  void finish();
  /// Every match so far, in order.
  [[nodiscard]] const std::vector<FailureMatch>& matches() const noexcept { return m_matches; }
  /// Failed tests named by the output, in order, without duplicates.
  [[nodiscard]] const std::vector<OutputTestFailure>& failed_tests() const noexcept { return m_failed; }
  /// The runs of tests the output showed starting, with times (only for timed output).
  [[nodiscard]] const std::vector<OutputTestRun>& runs() const noexcept { return m_runs; }
  /// Matches dropped past the bound.
  [[nodiscard]] std::uint64_t dropped() const noexcept { return m_dropped; }
  /// Lines scanned.
  [[nodiscard]] std::size_t lines() const noexcept { return m_line_no; }

private:
  void line(std::string_view l);
  void section(std::string_view l);
  void add_failed(std::string name);
  void start_run(std::string name);
  void end_runs();

  std::size_t m_max;
  std::string m_partial;
  bool m_overlong = false;
  std::size_t m_line_no = 0;
  std::deque<std::string> m_context;
  std::string m_current_test;
  std::vector<FailureMatch> m_matches;
  std::vector<OutputTestFailure> m_failed;
  std::uint64_t m_dropped = 0;
  bool m_timestamps = false;
  std::int64_t m_line_started_us = 0; // first byte of the line being scanned (timed output)
  std::vector<OutputTestRun> m_runs;
  bool m_interleaved = false;         // go's parallel tests (=== PAUSE/CONT): runs overlap, none kept
};

/// Scans a whole text at once (JUnit failure bodies, files).
[[nodiscard]] std::vector<FailureMatch> match_failures(std::string_view text);

/// Normalizes a host as messages print it ("Host.Example.COM.:443", "[::1]") to "host.example.com";
/// empty when it is not a plausible host name or IP literal.
[[nodiscard]] std::string normalize_host(std::string_view raw);


} // namespace netmap::report
