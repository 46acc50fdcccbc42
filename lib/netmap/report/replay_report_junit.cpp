#include "netmap/report/replay_report_junit.hpp"

#include "netmap/base/atomic_file.hpp"
#include "netmap/base/byte_reader.hpp"
#include "netmap/base/error.hpp"
#include "netmap/base/text.hpp"
#include "netmap/report/failure_pattern.hpp"

#include <algorithm>
#include <cstring>
#include <glob.h>
#include <sys/stat.h>

namespace netmap::report {

namespace {

constexpr std::size_t k_max_depth = 512;
constexpr std::size_t k_max_case_text = 64 * 1024;
constexpr std::size_t k_max_name = 1024;
constexpr std::size_t k_max_failed = 100'000;
constexpr std::size_t k_max_problems = 20;
constexpr std::uint64_t k_max_file = 256ull * 1024 * 1024;

std::string_view as_text(std::span<const std::uint8_t> s) {
  return {reinterpret_cast<const char*>(s.data()), s.size()};
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

// XML 1.0 §4.6 predefined entities and §4.1 character references; anything else stays literal
// (no DTD is ever read, so no entity can expand into more text).
void append_decoded(std::string& out, std::string_view raw, std::size_t limit) {
  for (std::size_t i = 0; i < raw.size() && out.size() < limit; ++i) {
    if (raw[i] != '&') {
      out += raw[i];
      continue;
    }
    auto semi = raw.find(';', i);
    if (semi == std::string_view::npos || semi - i > 12) {
      out += '&';
      continue;
    }
    std::string_view ent = raw.substr(i + 1, semi - i - 1);
    std::uint32_t cp = 0;
    if (ent == "lt") cp = '<';
    else if (ent == "gt") cp = '>';
    else if (ent == "amp") cp = '&';
    else if (ent == "quot") cp = '"';
    else if (ent == "apos") cp = '\'';
    else if (ent.size() > 1 && ent[0] == '#') {
      bool hex = ent[1] == 'x' || ent[1] == 'X';
      std::string digits(ent.substr(hex ? 2 : 1));
      char* end = nullptr;
      unsigned long v = digits.empty() ? 0 : std::strtoul(digits.c_str(), &end, hex ? 16 : 10);
      if (end != nullptr && *end == '\0' && v > 0 && v <= 0x10ffff) cp = static_cast<std::uint32_t>(v);
    }
    if (cp == 0) {
      out += '&';
      continue;
    }
    append_utf8(out, cp);
    i = semi;
  }
}

struct Attr {
  std::string name;
  std::string value;
};

class Parser {
public:
  Parser(std::string_view xml, const std::string& file, JUnitResult& out) : m_r(xml), m_xml(xml), m_file(file), m_out(out) {}

  void run() {
    bool complete = true;
    while (!m_r.empty() && complete) complete = step();
    if (complete && !m_stack.empty()) problem("unexpected end of file inside <" + base::printable(m_stack.back(), 64) + ">");
    if (m_in_case) close_case(); // a truncated report still tells which tests had failed so far
    // A wrong file (a log, an empty report from a runner that crashed) must not pass for a clean one.
    if (!m_saw_report && m_problems == 0)
      m_out.problems.push_back(m_file + ": no <testsuites>, <testsuite> or <testcase> in it: not a JUnit report");
  }

private:
  bool at(std::string_view lit) const {
    auto rest = as_text(m_r.rest());
    return rest.substr(0, lit.size()) == lit;
  }

  // Consumes up to and including `end`; false (and consumes all) when it never comes.
  bool skip_past(std::string_view end, std::string_view* skipped = nullptr) {
    auto rest = as_text(m_r.rest());
    auto p = rest.find(end);
    if (p == std::string_view::npos) {
      (void)m_r.skip(m_r.remaining());
      return false;
    }
    if (skipped) *skipped = rest.substr(0, p);
    return m_r.skip(p + end.size());
  }

  void problem(const std::string& what) {
    if (m_problems++ >= k_max_problems) return;
    std::size_t pos = std::min(m_r.position(), m_xml.size());
    auto line = 1 + std::count(m_xml.begin(), m_xml.begin() + static_cast<std::ptrdiff_t>(pos), '\n');
    m_out.problems.push_back(m_file + ":" + std::to_string(line) + ": " + what);
  }

  bool step() {
    if (!at("<")) {
      auto rest = as_text(m_r.rest());
      auto lt = rest.find('<');
      std::string_view text = rest.substr(0, lt);
      if (m_capture && m_capture->size() < k_max_case_text) append_decoded(*m_capture, text, k_max_case_text);
      return m_r.skip(text.size());
    }
    if (at("<!--")) return skip_past("-->") || (problem("unterminated comment"), false);
    if (at("<![CDATA[")) {
      (void)m_r.skip(9);
      std::string_view body;
      bool ok = skip_past("]]>", &body);
      if (ok && m_capture && m_capture->size() < k_max_case_text)
        m_capture->append(body.substr(0, k_max_case_text - m_capture->size()));
      return ok || (problem("unterminated CDATA section"), false);
    }
    if (at("<?")) return skip_past("?>") || (problem("unterminated processing instruction"), false);
    if (at("<!")) return skip_declaration();
    if (at("</")) return end_tag();
    return start_tag();
  }

  // <!DOCTYPE …> with an optional [internal subset]: skipped whole, never interpreted.
  bool skip_declaration() {
    int depth = 0;
    while (auto c = m_r.u8()) {
      if (*c == '[') ++depth;
      else if (*c == ']') --depth;
      else if (*c == '>' && depth <= 0) return true;
    }
    problem("unterminated declaration");
    return false;
  }

  std::string read_name() {
    std::string n;
    while (auto c = m_r.peek()) {
      if (std::strchr(" \t\r\n/>=", *c) != nullptr || *c == 0) break;
      (void)m_r.u8();
      if (n.size() < k_max_name) n += static_cast<char>(*c);
    }
    return n;
  }

  void skip_space() {
    while (auto c = m_r.peek()) {
      if (*c != ' ' && *c != '\t' && *c != '\r' && *c != '\n') break;
      (void)m_r.u8();
    }
  }

  bool end_tag() {
    (void)m_r.skip(2);
    std::string name = read_name();
    if (!skip_past(">")) {
      problem("unterminated end tag");
      return false;
    }
    // Lenient: close up to the matching open element; an end tag nothing opened is ignored.
    auto it = std::find(m_stack.rbegin(), m_stack.rend(), name);
    if (it == m_stack.rend()) {
      problem("</" + base::printable(name, 64) + "> closes nothing");
      return true;
    }
    while (!m_stack.empty()) {
      std::string top = m_stack.back();
      m_stack.pop_back();
      close(top);
      if (top == name) break;
    }
    return true;
  }

  bool start_tag() {
    (void)m_r.skip(1);
    std::string name = read_name();
    if (name.empty()) {
      problem("'<' not starting a tag");
      return true; // the '<' is consumed; go on with what follows
    }
    std::vector<Attr> attrs;
    for (;;) {
      skip_space();
      auto c = m_r.peek();
      if (!c) {
        problem("unterminated tag <" + base::printable(name, 64) + ">");
        return false;
      }
      if (*c == '>') {
        (void)m_r.u8();
        return open(name, attrs, false);
      }
      if (*c == '/') {
        (void)m_r.u8();
        if (!skip_past(">")) return false;
        return open(name, attrs, true);
      }
      Attr a;
      a.name = read_name();
      skip_space();
      if (a.name.empty() || !m_r.peek() || *m_r.peek() != '=') {
        (void)m_r.u8(); // junk inside the tag: step over it
        continue;
      }
      (void)m_r.u8();
      skip_space();
      auto q = m_r.u8();
      if (!q || (*q != '"' && *q != '\'')) continue;
      std::string_view raw;
      if (!skip_past(std::string_view(reinterpret_cast<const char*>(&*q), 1), &raw)) {
        problem("unterminated attribute value");
        return false;
      }
      append_decoded(a.value, raw, k_max_name);
      if (attrs.size() < 64) attrs.push_back(std::move(a));
    }
  }

  static std::string attr(const std::vector<Attr>& attrs, std::string_view name) {
    for (const auto& a : attrs)
      if (a.name == name) return a.value;
    return {};
  }

  bool open(const std::string& name, const std::vector<Attr>& attrs, bool empty) {
    if (m_stack.size() >= k_max_depth) {
      problem("elements nested deeper than " + std::to_string(k_max_depth));
      return false;
    }
    m_saw_report = m_saw_report || name == "testsuites" || name == "testsuite" || name == "testcase";
    if (name == "testsuite") {
      m_suites.push_back(base::printable(attr(attrs, "name"), 200));
    } else if (name == "testcase") {
      if (m_in_case) close_case(); // an unclosed previous case
      m_in_case = true;
      m_case = JUnitCase{};
      m_case.suite = m_suites.empty() ? std::string() : m_suites.back();
      std::string cls = attr(attrs, "classname"), n = attr(attrs, "name");
      m_case.name = shown_test_name(cls.empty() ? n : n.empty() ? cls : cls + "." + n);
      m_case.file = m_file;
      m_case_failed = m_case_skipped = false;
      ++m_out.tests;
    } else if (m_in_case && (name == "failure" || name == "error")) {
      m_case_failed = true;
      m_case.error = m_case.error || name == "error";
      if (m_case.message.empty()) m_case.message = base::printable(attr(attrs, "message"), 400);
      // The message attribute often holds the whole client error: keep it for matching too.
      std::string raw_message = attr(attrs, "message");
      if (!raw_message.empty() && m_case.text.size() < k_max_case_text) m_case.text += raw_message + "\n";
      m_capture = &m_case.text;
    } else if (m_in_case && name == "skipped") {
      m_case_skipped = true;
    } else if (m_in_case && (name == "system-out" || name == "system-err")) {
      m_capture = &m_case.text;
    }
    if (empty) {
      close(name);
    } else {
      m_stack.push_back(name);
    }
    return true;
  }

  void close(const std::string& name) {
    if (name == "testsuite" && !m_suites.empty()) m_suites.pop_back();
    if (name == "testcase" && m_in_case) close_case();
    if (name == "failure" || name == "error" || name == "system-out" || name == "system-err") {
      if (m_capture && !m_capture->empty() && m_capture->back() != '\n') *m_capture += '\n';
      m_capture = nullptr;
    }
  }

  void close_case() {
    m_in_case = false;
    m_capture = nullptr;
    if (m_case_failed) {
      ++(m_case.error ? m_out.errors : m_out.failures);
      if (m_out.failed.size() < k_max_failed) m_out.failed.push_back(std::move(m_case));
    } else if (m_case_skipped) {
      ++m_out.skipped;
    }
    m_case = JUnitCase{};
  }

  base::ByteReader m_r;
  std::string_view m_xml;
  const std::string& m_file;
  JUnitResult& m_out;
  std::vector<std::string> m_stack;
  std::vector<std::string> m_suites;
  bool m_saw_report = false; ///< a <testsuites>, <testsuite> or <testcase> element opened
  bool m_in_case = false;
  bool m_case_failed = false;
  bool m_case_skipped = false;
  JUnitCase m_case;
  std::string* m_capture = nullptr;
  std::size_t m_problems = 0;
};

} // namespace

void parse_junit(std::string_view xml, const std::string& file, JUnitResult& into) {
  try {
    Parser(xml, file, into).run();
  } catch (const std::exception& e) { // allocation failure on an absurd input: keep what we have
    into.problems.push_back(file + ": " + e.what());
  }
}

JUnitResult read_junit(const std::vector<std::string>& patterns) {
  JUnitResult out;
  for (const auto& pattern : patterns) {
    glob_t g{};
    int rc = ::glob(pattern.c_str(), GLOB_NOSORT | GLOB_BRACE, nullptr, &g);
    std::vector<std::string> paths;
    if (rc == 0)
      for (std::size_t i = 0; i < g.gl_pathc; ++i) paths.emplace_back(g.gl_pathv[i]);
    ::globfree(&g);
    std::sort(paths.begin(), paths.end());
    if (paths.empty()) out.problems.push_back(base::printable(pattern) + ": no JUnit report matches");
    for (const auto& path : paths) {
      // The suite under test names these files: shown escaped, like everything else it wrote.
      std::string shown = base::printable(path);
      struct stat st {};
      if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
        out.problems.push_back(shown + ": not a readable file");
        continue;
      }
      if (static_cast<std::uint64_t>(st.st_size) > k_max_file) {
        out.problems.push_back(shown + ": larger than 256 MiB, skipped");
        continue;
      }
      std::string text;
      try {
        text = base::read_file(path, k_max_file); // bounded even if the file grows meanwhile
      } catch (const base::UserError&) {
        out.problems.push_back(shown + ": cannot be read");
        continue;
      }
      out.files.push_back(shown);
      parse_junit(text, shown, out);
    }
  }
  return out;
}

} // namespace netmap::report
