// JUnit XML for CI test reports. The de-facto schema (Jenkins/Surefire, as GitLab and the common
// GitHub report actions read it): <testsuites><testsuite name tests failures skipped><testcase
// classname name><failure message type>text</failure> | <skipped/> | <system-out>.

#include "netmap/report/check_output.hpp"

#include <map>

namespace netmap::report {

namespace {

bool is_domain_code(const std::string& code) {
  return code == "unlisted" || code == "denied" || code == "mock" || code == "invalid-name";
}

struct Case {
  std::string name;
  std::vector<const Finding*> findings;
  std::string skipped; // reason, when the case is skipped
};

std::string finding_text(const Finding& f) {
  std::string where = f.where.str();
  return (where.empty() ? std::string() : where + ": ") + severity_name(f.severity) + ": " + f.message +
         (f.hint.empty() ? "" : "\nhint: " + f.hint);
}

std::string render_case(const std::string& suite, const Case& c, Severity fail_on, std::size_t& failures, std::size_t& skipped) {
  std::string out = "    <testcase classname=\"" + xml_escape(suite) + "\" name=\"" + xml_escape(c.name) + "\"";
  std::string body, sysout;
  for (const Finding* f : c.findings) {
    if (f->severity >= fail_on && body.empty())
      body = "      <failure type=\"" + xml_escape(f->code) + "\" message=\"" + xml_escape(f->title + ": " + f->message) +
             "\">" + xml_escape(finding_text(*f)) + "</failure>\n";
    else
      sysout += finding_text(*f) + "\n";
  }
  if (!body.empty()) ++failures;
  else if (!c.skipped.empty()) {
    ++skipped;
    body = "      <skipped message=\"" + xml_escape(c.skipped) + "\"/>\n";
  }
  if (!sysout.empty()) body += "      <system-out>" + xml_escape(sysout) + "</system-out>\n";
  return out + (body.empty() ? "/>\n" : ">\n" + body + "    </testcase>\n");
}

std::string render_suite(const std::string& name, const std::vector<Case>& cases, Severity fail_on, std::size_t& total_failures) {
  std::size_t failures = 0, skipped = 0;
  std::string body;
  for (const auto& c : cases) body += render_case(name, c, fail_on, failures, skipped);
  total_failures += failures;
  std::string head = "  <testsuite name=\"" + xml_escape(name) + "\" tests=\"" + std::to_string(cases.size()) +
                     "\" failures=\"" + std::to_string(failures) + "\" errors=\"0\" skipped=\"" + std::to_string(skipped) + "\"";
  return head + (body.empty() ? "/>\n" : ">\n" + body + "  </testsuite>\n");
}

} // namespace

std::string format_check_junit(const CheckResult& r, Severity fail_on) {
  std::vector<Case> domains, bare, policy_cases;
  std::map<std::string, std::size_t> index;
  for (const auto& d : r.domains) {
    index[d.name] = domains.size();
    Case c{d.name, {}, {}};
    if (d.decision == policy::Decision::Ignored) c.skipped = "ignored by rule " + d.rule + " (" + d.rule_source + ")";
    domains.push_back(std::move(c));
  }
  for (const auto& f : r.findings) {
    if (is_domain_code(f.code) && index.contains(f.domain)) domains[index[f.domain]].findings.push_back(&f);
    else if (f.code == "bare-ip") bare.push_back({f.domain, {&f}, {}});
    else {
      std::string where = f.where.str();
      std::string name = f.code + (f.rule.empty() ? "" : " " + f.rule) + (where.empty() ? "" : " (" + where + ")");
      policy_cases.push_back({name, {&f}, {}});
    }
  }
  std::size_t failures = 0;
  std::string body = render_suite("netmap.domains", domains, fail_on, failures) +
                     render_suite("netmap.bare-ip", bare, fail_on, failures) +
                     render_suite("netmap.policy", policy_cases, fail_on, failures);
  std::size_t tests = domains.size() + bare.size() + policy_cases.size();
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"netmap check\" tests=\"" + std::to_string(tests) +
         "\" failures=\"" + std::to_string(failures) + "\" errors=\"0\">\n" + body + "</testsuites>\n";
}

} // namespace netmap::report
