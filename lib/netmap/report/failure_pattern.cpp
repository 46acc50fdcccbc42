#include "netmap/report/failure_pattern.hpp"

#include "netmap/base/clock.hpp"
#include "netmap/base/text.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cstdlib>
#include <array>
#include <cstring>

namespace netmap::report {

namespace {

constexpr std::size_t k_max_line = 8192;     // longer lines are matched on their first 8 KiB
constexpr std::size_t k_context_lines = 20;  // how far back a host-less message looks for a URL
constexpr std::size_t k_text_shown = 300;    // evidence lines are cut here
constexpr std::size_t k_name_shown = 400;    // and test names here

enum class Extract { After, UrlOnLine, AddressAfter };

struct Pattern {
  std::string_view anchor;
  FailureKind kind;
  Extract extract;
  std::string_view tool;
  std::string_view requires_text = {}; ///< a second substring the line must hold
  bool by_content = false;             ///< refine the kind from the rest of the line (Python)
};

// Most specific first: one match per line, the first pattern that fits.
constexpr std::array k_patterns{
    Pattern{"getaddrinfo ENOTFOUND ", FailureKind::DnsNotFound, Extract::After, "node"},
    Pattern{"getaddrinfo EAI_AGAIN ", FailureKind::DnsTemporary, Extract::After, "node"},
    Pattern{"Failed to resolve '", FailureKind::DnsNotFound, Extract::After, "python", {}, true},
    Pattern{"HTTPSConnectionPool(host='", FailureKind::DnsNotFound, Extract::After, "python", {}, true},
    Pattern{"HTTPConnectionPool(host='", FailureKind::DnsNotFound, Extract::After, "python", {}, true},
    Pattern{"Could not resolve host: ", FailureKind::DnsNotFound, Extract::After, "curl"},
    Pattern{"Couldn't resolve host '", FailureKind::DnsNotFound, Extract::After, "curl"},
    Pattern{"lookup ", FailureKind::DnsNotFound, Extract::After, "go", "no such host"},
    Pattern{"lookup ", FailureKind::DnsTemporary, Extract::After, "go", "server misbehaving"},
    Pattern{"UnknownHostException: ", FailureKind::DnsNotFound, Extract::After, "java", {}, true},
    Pattern{"Unknown host '", FailureKind::DnsNotFound, Extract::After, "gradle"},
    Pattern{"Unknown host ", FailureKind::DnsNotFound, Extract::After, "maven", {}, true},
    Pattern{"Temporary failure resolving '", FailureKind::DnsTemporary, Extract::After, "apt"},
    Pattern{"Could not resolve '", FailureKind::DnsNotFound, Extract::After, "apt"},
    Pattern{"Could not resolve hostname ", FailureKind::DnsNotFound, Extract::After, "ssh"},
    Pattern{"failed to resolve address for ", FailureKind::DnsNotFound, Extract::After, "cargo"},
    Pattern{"CONNECT tunnel failed, response 403", FailureKind::ProxyDenied, Extract::UrlOnLine, "curl"},
    Pattern{"Received HTTP code 403 from proxy after CONNECT", FailureKind::ProxyDenied, Extract::UrlOnLine, "curl"},
    Pattern{"Unable to tunnel through proxy", FailureKind::ProxyDenied, Extract::UrlOnLine, "java"},
    Pattern{"Proxy response (403)", FailureKind::ProxyDenied, Extract::UrlOnLine, "node"},
    Pattern{"statusCode=403", FailureKind::ProxyDenied, Extract::UrlOnLine, "npm", "tunneling socket"},
    Pattern{"CONNECT refused by proxy", FailureKind::ProxyDenied, Extract::UrlOnLine, "java"},
    Pattern{"Tunnel connection failed: 403", FailureKind::ProxyDenied, Extract::UrlOnLine, "python"},
    Pattern{"Tunnel failed, got: 403", FailureKind::ProxyDenied, Extract::UrlOnLine, "java"}, // java.net.http.HttpClient
    Pattern{"Proxy tunneling failed: Forbidden", FailureKind::ProxyDenied, Extract::UrlOnLine, "wget"},
    Pattern{"blocked-by-allowlist", FailureKind::PolicyAnnotated, Extract::UrlOnLine, "unknown"},
    Pattern{"blocked-by-denylist", FailureKind::PolicyAnnotated, Extract::UrlOnLine, "unknown"},
    Pattern{"blocked-by-method-policy", FailureKind::PolicyAnnotated, Extract::UrlOnLine, "unknown"},
    Pattern{"host_not_allowed", FailureKind::PolicyAnnotated, Extract::UrlOnLine, "unknown"},
    Pattern{"Failed to connect to ", FailureKind::ConnectRefused, Extract::After, "curl"},
    Pattern{"connect ECONNREFUSED ", FailureKind::ConnectRefused, Extract::AddressAfter, "node"},
    Pattern{"connect ENETUNREACH ", FailureKind::ConnectRefused, Extract::AddressAfter, "node"},
    Pattern{"dial tcp ", FailureKind::ConnectRefused, Extract::AddressAfter, "go", "connection refused"},
    Pattern{"Connect to ", FailureKind::ConnectRefused, Extract::After, "java", "Connection refused"},
    Pattern{"ssh: connect to host ", FailureKind::ConnectRefused, Extract::After, "ssh"},
    Pattern{"403 Forbidden", FailureKind::HttpForbidden, Extract::UrlOnLine, "unknown"},
    Pattern{"403  Forbidden", FailureKind::HttpForbidden, Extract::UrlOnLine, "apt"},
    Pattern{"\": Forbidden", FailureKind::HttpForbidden, Extract::UrlOnLine, "go"},
    Pattern{"returned error: 403", FailureKind::HttpForbidden, Extract::UrlOnLine, "curl"},
    Pattern{"HTTP Error 403", FailureKind::HttpForbidden, Extract::UrlOnLine, "python"},
    Pattern{"status code 403", FailureKind::HttpForbidden, Extract::UrlOnLine, "gradle"},
    Pattern{"Name or service not known", FailureKind::DnsNotFound, Extract::UrlOnLine, "unknown"},
    Pattern{"Temporary failure in name resolution", FailureKind::DnsTemporary, Extract::UrlOnLine, "unknown"},
    Pattern{"Name does not resolve", FailureKind::DnsNotFound, Extract::UrlOnLine, "unknown"},
};

bool contains(std::string_view hay, std::string_view needle) { return hay.find(needle) != std::string_view::npos; }

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Python and Java wrap several causes in one line; the words decide which one it is.
FailureKind refine(FailureKind k, std::string_view line) {
  if (contains(line, "Tunnel connection failed: 403") || contains(line, "ProxyError")) return FailureKind::ProxyDenied;
  if (contains(line, "Errno -3") || contains(line, "Temporary failure")) return FailureKind::DnsTemporary;
  if (contains(line, "Errno 111") || contains(line, "Connection refused") || contains(line, "Network is unreachable") ||
      contains(line, "Errno 101"))
    return FailureKind::ConnectRefused;
  return k;
}

std::string_view tool_from_line(std::string_view line, std::string_view fallback) {
  struct Prefix {
    std::string_view text;
    std::string_view tool;
  };
  static constexpr std::array<Prefix, 19> k_markers{{
      {"npm ERR!", "npm"}, {"npm error", "npm"}, {"npm warn", "npm"}, {"npm WARN", "npm"},
      {"fatal: unable to access", "git"}, {"curl: (", "curl"}, {"go: ", "go"},
      {"spurious network error", "cargo"}, {"Could not transfer artifact", "maven"}, {"Could not GET", "gradle"},
      {"W: Failed to fetch", "apt"}, {"Retrying (Retry(", "pip"}, {"error sending request for url", "rust"},
      {"yarn", "yarn"},
      // cargo quotes libcurl's errors as "[code] description (detail)"; curl itself prints "curl: (code)".
      {"] Failure when receiving data from the peer (", "cargo"}, {"] Couldn't resolve host name (", "cargo"},
      {"] Couldn't connect to server (", "cargo"}, {"socket.gaierror", "python"}, {"urllib.error.", "python"}}};
  for (const auto& m : k_markers)
    if (contains(line, m.text)) return m.tool;
  return fallback;
}

// The port of "host:443" or "[v6]:443"; 0 when there is none.
std::uint16_t port_suffix(std::string_view hostport) {
  auto bracket = hostport.rfind(']');
  auto colon = hostport.rfind(':');
  if (colon == std::string_view::npos || colon + 1 >= hostport.size()) return 0;
  if (bracket == std::string_view::npos ? hostport.find(':') != colon : colon < bracket) return 0;
  unsigned long v = std::strtoul(std::string(hostport.substr(colon + 1)).c_str(), nullptr, 10);
  return v <= 0xffff ? static_cast<std::uint16_t>(v) : 0;
}

std::string_view token_after(std::string_view line, std::size_t pos) {
  std::size_t end = pos;
  while (end < line.size() && std::strchr(" \t'\"()[]{},;<>`", line[end]) == nullptr) ++end;
  // An IPv6 literal in brackets keeps its brackets.
  if (pos < line.size() && line[pos] == '[') {
    auto close = line.find(']', pos);
    if (close != std::string_view::npos) end = close + 1;
    while (end < line.size() && std::strchr(" \t'\"(),;", line[end]) == nullptr) ++end;
  }
  return line.substr(pos, end - pos);
}

// The host of the first http(s) URL on the line, or of a "CONNECT host:port" request line.
std::string url_host(std::string_view line, std::uint16_t* port) {
  for (std::size_t from = 0; from < line.size();) {
    auto p = line.find("://", from);
    if (p == std::string_view::npos) break;
    from = p + 3;
    auto scheme = base::ascii_lower(line.substr(p >= 5 ? p - 5 : 0, p >= 5 ? 5 : p));
    if (!(scheme.size() >= 4 && (scheme.substr(scheme.size() - 4) == "http" || scheme == "https"))) continue;
    std::string_view rest = token_after(line, p + 3);
    auto slash = rest.find_first_of("/?#");
    if (slash != std::string_view::npos) rest = rest.substr(0, slash);
    auto at = rest.rfind('@');
    if (at != std::string_view::npos) rest = rest.substr(at + 1);
    std::string h = normalize_host(rest);
    if (!h.empty()) {
      if (port) *port = port_suffix(rest);
      return h;
    }
  }
  // curl -v and proxies log the request line "CONNECT host:port HTTP/1.1".
  auto c = line.find("CONNECT ");
  if (c == std::string_view::npos) return {};
  std::string_view target = token_after(line, c + 8);
  if (port_suffix(target) == 0) return {};
  if (port) *port = port_suffix(target);
  return normalize_host(target);
}

std::string shown(std::string_view line) { return base::printable(line, k_text_shown); }

// Removes terminal colour sequences (ESC [ … letter) that npm, jest and cargo print on a TTY.
std::string strip_ansi(std::string_view l) {
  std::string out;
  out.reserve(l.size());
  for (std::size_t i = 0; i < l.size(); ++i) {
    if (l[i] == '\x1b' && i + 1 < l.size() && l[i + 1] == '[') {
      i += 2;
      while (i < l.size() && !((l[i] >= '@' && l[i] <= '~'))) ++i;
      continue;
    }
    out += l[i];
  }
  if (!out.empty() && out.back() == '\r') out.pop_back();
  return out;
}

} // namespace

std::string shown_test_name(std::string_view name) { return base::printable(name, k_name_shown); }

const char* failure_kind_name(FailureKind k) noexcept {
  switch (k) {
  case FailureKind::DnsNotFound: return "dns-notfound";
  case FailureKind::DnsTemporary: return "dns-temporary";
  case FailureKind::ConnectRefused: return "connect-refused";
  case FailureKind::ProxyDenied: return "proxy-denied";
  case FailureKind::HttpForbidden: return "http-403";
  case FailureKind::PolicyAnnotated: return "policy";
  }
  return "unknown";
}

std::string normalize_host(std::string_view raw) {
  while (!raw.empty() && std::strchr("'\"`<([", raw.front()) != nullptr && raw.front() != '[') raw.remove_prefix(1);
  while (!raw.empty() && std::strchr("'\"`>),;.:", raw.back()) != nullptr) raw.remove_suffix(1);
  if (raw.empty() || raw.size() > 260) return {};
  char buf[sizeof(in6_addr)];
  if (raw.front() == '[') {
    auto close = raw.find(']');
    if (close == std::string_view::npos) return {};
    std::string inner(raw.substr(1, close - 1));
    return ::inet_pton(AF_INET6, inner.c_str(), buf) == 1 ? base::ascii_lower(inner) : std::string();
  }
  std::string s(raw);
  if (std::count(s.begin(), s.end(), ':') > 1) // IPv6 without brackets: no port to strip
    return ::inet_pton(AF_INET6, s.c_str(), buf) == 1 ? base::ascii_lower(s) : std::string();
  if (auto colon = s.find(':'); colon != std::string::npos) s.resize(colon);
  while (!s.empty() && s.back() == '.') s.pop_back();
  if (s.empty() || s.size() > 253) return {};
  bool letter = false;
  for (char& c : s) {
    c = static_cast<char>((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
    if ((c >= 'a' && c <= 'z') || c == '-' || c == '_') letter = true;
    else if (!((c >= '0' && c <= '9') || c == '.')) return {};
  }
  if (!letter && ::inet_pton(AF_INET, s.c_str(), buf) != 1) return {};
  return s;
}

std::vector<FailureMatch> match_line(std::string_view line, const std::deque<std::string>& context) {
  std::vector<FailureMatch> out;
  if (line.size() > k_max_line) line = line.substr(0, k_max_line);
  for (const auto& p : k_patterns) {
    auto pos = line.find(p.anchor);
    if (pos == std::string_view::npos) continue;
    if (!p.requires_text.empty() && !contains(line, p.requires_text)) continue;
    FailureMatch m;
    m.kind = p.by_content ? refine(p.kind, line) : p.kind;
    m.tool = std::string(tool_from_line(line, p.tool));
    m.text = shown(line);
    if (p.extract == Extract::UrlOnLine) {
      m.host = url_host(line, &m.port);
      for (auto it = context.rbegin(); m.host.empty() && it != context.rend(); ++it) {
        m.host = url_host(*it, &m.port);
        m.host_from_context = !m.host.empty();
      }
    } else {
      std::string_view tok = token_after(line, pos + p.anchor.size());
      if (p.extract == Extract::AddressAfter && tok.find(':') == std::string_view::npos) continue;
      m.host = normalize_host(tok);
      m.port = port_suffix(tok);
      if (auto port_word = line.find(" port ", pos); port_word != std::string_view::npos && m.port == 0)
        m.port = port_suffix(":" + std::string(token_after(line, port_word + 6)));
      if (m.host.empty()) continue;
    }
    out.push_back(std::move(m));
    break;
  }
  return out;
}

FailureScanner::FailureScanner(std::size_t max_matches) : m_max(max_matches) {}

void FailureScanner::feed(std::string_view chunk) {
  while (!chunk.empty()) {
    auto nl = chunk.find('\n');
    std::string_view piece = chunk.substr(0, nl);
    if (m_timestamps && m_partial.empty() && !m_overlong) m_line_started_us = base::now_unix_us();
    if (!m_overlong) {
      std::size_t room = k_max_line - std::min(k_max_line, m_partial.size());
      m_partial.append(piece.substr(0, room));
      if (piece.size() > room) m_overlong = true;
    }
    if (nl == std::string_view::npos) return;
    line(m_partial);
    m_partial.clear();
    m_overlong = false;
    chunk.remove_prefix(nl + 1);
  }
}

void FailureScanner::feed_line(std::string_view l, std::int64_t first_byte_us) {
  m_timestamps = true;
  if (!m_partial.empty() || m_overlong) finish(); // a line fed in pieces before ends here
  m_line_started_us = first_byte_us;
  line(l.substr(0, std::min(l.size(), k_max_line)));
}

void FailureScanner::finish() {
  if (!m_partial.empty()) line(m_partial);
  m_partial.clear();
  m_overlong = false;
}

void FailureScanner::start_run(std::string name) {
  if (!m_timestamps || m_interleaved || name.empty()) return;
  end_runs(); // runners here run one test at a time: the next one starting ends the last
  if (m_runs.size() >= m_max) {
    ++m_dropped;
    return;
  }
  m_runs.push_back({std::move(name), m_line_started_us, 0, m_line_no});
}

void FailureScanner::end_runs() {
  if (!m_runs.empty() && m_runs.back().end_us == 0) m_runs.back().end_us = m_line_started_us;
}

void FailureScanner::add_failed(std::string name) {
  if (name.empty()) return;
  for (const auto& f : m_failed)
    if (f.name == name) return;
  if (m_failed.size() >= m_max) {
    ++m_dropped;
    return;
  }
  m_failed.push_back({std::move(name), m_line_no});
}

namespace {

// unittest's "ERROR: test_x (pkg.mod.Class.test_x)", perhaps with " (i=1)" for a subtest after it.
// Both parts are identifiers: pip's "ERROR: Could not find a version … (from versions: none)" is
// no test.
bool unittest_header(std::string_view t, std::string_view& test, std::string_view& where) {
  if (!starts_with(t, "ERROR: ") && !starts_with(t, "FAIL: ")) return false;
  auto space = t.find(' ');
  auto paren = t.find(" (", space);
  if (paren == std::string_view::npos || t.back() != ')') return false;
  auto close = t.find(')', paren);
  test = t.substr(space + 1, paren - space - 1);
  where = t.substr(paren + 2, close - paren - 2);
  auto word = [](std::string_view w) { return !w.empty() && w.find_first_of(" \t") == std::string_view::npos; };
  return word(test) && word(where);
}

// unittest's verbose progress "test_x (pkg.mod.Class.test_x) ... " (the result, and whatever the
// test printed, follow on the same line), or its docstring form "test_x (pkg.mod.Class) ... ".
bool unittest_progress(std::string_view t, std::string_view& test, std::string_view& where) {
  auto dots = t.find(") ... ");
  if (dots == std::string_view::npos) dots = t.size() >= 5 && t.substr(t.size() - 5) == ") ..." ? t.size() - 5 : dots;
  if (dots == std::string_view::npos) return false;
  auto paren = t.find(" (");
  if (paren == std::string_view::npos || paren > dots) return false;
  test = t.substr(0, paren);
  where = t.substr(paren + 2, dots - paren - 2);
  auto word = [](std::string_view w) {
    return !w.empty() && w.find_first_of(" \t()") == std::string_view::npos;
  };
  return word(test) && word(where);
}

// unittest names a test "pkg.mod.Class.test_x" whether it printed "(pkg.mod.Class.test_x)" (3.11+)
// or "(pkg.mod.Class)".
std::string unittest_name(std::string_view test, std::string_view where) {
  return where.size() > test.size() && where.substr(where.size() - test.size()) == test ? std::string(where)
                                                                                        : std::string(where) + "." + std::string(test);
}

// pytest's summary "FAILED tests/test_x.py::test_y - message" (and "ERROR path::test"); not
// unittest's closing "FAILED (failures=1, errors=2)", which names no test.
bool pytest_result(std::string_view t, std::string_view& test) {
  const bool failed = starts_with(t, "FAILED ");
  if (!failed && !(starts_with(t, "ERROR ") && contains(t, "::"))) return false;
  std::string_view rest = t.substr(t.find(' ') + 1);
  test = rest.substr(0, rest.find(" - "));
  return !test.empty() && test.front() != '(';
}

} // namespace

// Test sections of common runners: the lines after a header belong to that test until the next.
void FailureScanner::section(std::string_view l) {
  std::string_view t = base::trim(l);
  if (std::string_view test, where; unittest_header(t, test, where)) {
    end_runs(); // the failure details come after every test ran
    m_current_test = shown_test_name(unittest_name(test, where));
    add_failed(m_current_test);
  } else if (std::string_view ptest, pwhere; unittest_progress(l, ptest, pwhere)) {
    start_run(shown_test_name(unittest_name(ptest, pwhere)));
  } else if (starts_with(t, "=== RUN ")) {
    m_current_test = shown_test_name(base::trim(t.substr(8)));
    start_run(m_current_test);
  } else if (starts_with(t, "=== PAUSE ") || starts_with(t, "=== CONT ")) {
    m_interleaved = true; // parallel go tests: which one made an attempt cannot be told by time
    m_runs.clear();
  } else if (starts_with(t, "--- FAIL: ")) {
    end_runs();
    std::string_view rest = t.substr(10);
    add_failed(shown_test_name(rest.substr(0, rest.find(' '))));
  } else if (starts_with(t, "--- PASS: ") || starts_with(t, "Ran ") || starts_with(t, "=== short test summary") ||
             (t.size() >= 20 && t.find_first_not_of('=') == std::string_view::npos)) { // unittest's rule before details
    end_runs();
    m_current_test.clear();
  } else if (starts_with(t, "---- ") && t.size() > 17 && t.substr(t.size() - 12) == " stdout ----") {
    m_current_test = shown_test_name(t.substr(5, t.size() - 17));
    add_failed(m_current_test);
  } else if (std::string_view node_id; pytest_result(t, node_id)) {
    add_failed(shown_test_name(node_id));
  } else if (t.size() > 8 && starts_with(t, "___") && t.back() == '_' && contains(t, " ")) {
    auto a = t.find_first_not_of('_');
    auto b = t.find_last_not_of('_');
    m_current_test = shown_test_name(base::trim(t.substr(a, b - a + 1)));
    add_failed(m_current_test);
  } else if ((contains(t, "<<< ERROR!") || contains(t, "<<< FAILURE!")) && starts_with(t, "[ERROR] ")) {
    std::string_view rest = t.substr(8);
    m_current_test = shown_test_name(rest.substr(0, rest.find_first_of(" \t")));
    add_failed(m_current_test);
  } else if (starts_with(t, "not ok ")) {
    std::string_view rest = t.substr(7);
    auto dash = rest.find(" - ");
    m_current_test = shown_test_name(dash == std::string_view::npos ? rest : rest.substr(dash + 3));
    add_failed(m_current_test);
  } else if (starts_with(t, "\xE2\x97\x8F ")) { // jest: "● Suite › test"
    m_current_test = shown_test_name(t.substr(4));
    add_failed(m_current_test);
  }
}

void FailureScanner::line(std::string_view raw) {
  ++m_line_no;
  std::string l = strip_ansi(raw);
  section(l);
  auto found = match_line(l, m_context);
  for (auto& m : found) {
    if (m_matches.size() >= m_max) {
      ++m_dropped;
      continue;
    }
    m.line = m_line_no;
    m.test = m_current_test;
    if (m_timestamps) m.time_us = m_line_started_us; // as the runs are timed: by the first byte
    // A pytest summary line names its test and carries the message on the same line.
    if (std::string_view node_id; pytest_result(base::trim(l), node_id) && !m_failed.empty()) m.test = m_failed.back().name;
    m_matches.push_back(std::move(m));
  }
  m_context.push_back(l.substr(0, 1024));
  if (m_context.size() > k_context_lines) m_context.pop_front();
}

std::vector<FailureMatch> match_failures(std::string_view text) {
  FailureScanner s;
  s.feed(text);
  s.finish();
  return s.matches();
}

} // namespace netmap::report
