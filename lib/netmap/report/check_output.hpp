#pragma once
// `netmap check` results as text, JSON, GitHub workflow commands and JUnit XML.

#include "netmap/report/check.hpp"

#include <string>
#include <string_view>

namespace netmap::report {

/// Grouped by severity, compiler style ("netmap.yaml:4:7: error: …"), with a summary line.
/// `colour` adds SGR codes (callers decide: TTY and NO_COLOR).
[[nodiscard]] std::string format_check_text(const CheckResult& r, Severity fail_on, bool colour);
/// One JSON document: policy, target, summary counts, findings, domains, bare-IP destinations.
[[nodiscard]] std::string format_check_json(const CheckResult& r, Severity fail_on);
/// GitHub Actions workflow commands, one a finding (`::error file=…,line=…,col=…,title=…::msg`).
/// Findings without a policy position point at the policy file's first line when there is one.
[[nodiscard]] std::string format_check_github(const CheckResult& r);
/// JUnit XML: one testcase per contacted domain and bare-IP destination, and one per policy
/// finding; a testcase fails when one of its findings is at or above `fail_on`.
[[nodiscard]] std::string format_check_junit(const CheckResult& r, Severity fail_on);

/// Escapes a workflow command's message (% CR LF), as the Actions runner unescapes it.
[[nodiscard]] std::string github_escape_data(std::string_view s);
/// Escapes a workflow command's property value (% CR LF : ,).
[[nodiscard]] std::string github_escape_property(std::string_view s);
/// Escapes text for XML 1.0 content and attributes; characters XML cannot hold become '?'.
[[nodiscard]] std::string xml_escape(std::string_view s);

} // namespace netmap::report
