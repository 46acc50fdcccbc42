#include "netmap/report/check_output.hpp"

#include <nlohmann/json.hpp>

#include <map>

namespace netmap::report {

namespace {

const char* sgr(Severity s) {
  switch (s) {
  case Severity::Error: return "31";
  case Severity::Warning: return "33";
  case Severity::Notice: return "36";
  }
  return "0";
}

std::string paint(const std::string& text, const char* code, bool colour) {
  return colour ? "\x1b[" + std::string(code) + "m" + text + "\x1b[0m" : text;
}

std::string plural(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

struct Tally {
  std::size_t allowed = 0, ignored = 0, blocked = 0;
};

Tally tally(const CheckResult& r) {
  Tally t;
  for (const auto& d : r.domains) {
    if (d.decision == policy::Decision::Allowed) ++t.allowed;
    else if (d.decision == policy::Decision::Ignored) ++t.ignored;
    else ++t.blocked;
  }
  return t;
}

std::string summary_line(const CheckResult& r, Severity fail_on) {
  Tally t = tally(r);
  std::string s = "netmap check: " + plural(r.count(Severity::Error), "error", "errors") + ", " +
                  plural(r.count(Severity::Warning), "warning", "warnings") + ", " +
                  plural(r.count(Severity::Notice), "notice", "notices") + "; " +
                  plural(r.domains.size(), "domain", "domains") + " contacted (" + std::to_string(t.allowed) +
                  " allowed, " + std::to_string(t.ignored) + " ignored, " + std::to_string(t.blocked) + " blocked), " +
                  plural(r.unnamed.size(), "bare-IP destination", "bare-IP destinations");
  if (r.target) s += std::string("; target ") + policy::target_name(*r.target);
  s += r.fails(fail_on) ? std::string(": FAIL (--fail-on ") + severity_name(fail_on) + ")" : ": ok";
  return s + "\n";
}

} // namespace

std::string format_check_text(const CheckResult& r, Severity fail_on, bool colour) {
  std::string out;
  for (Severity s : {Severity::Error, Severity::Warning, Severity::Notice}) {
    std::size_t n = r.count(s);
    if (n == 0) continue;
    std::string head = std::string(s == Severity::Error ? "Errors" : s == Severity::Warning ? "Warnings" : "Notices") +
                       " (" + std::to_string(n) + ")";
    out += (out.empty() ? "" : "\n") + paint(head, "1", colour) + "\n";
    for (const auto& f : r.findings) {
      if (f.severity != s) continue;
      std::string where = f.where.str();
      out += "  " + (where.empty() ? std::string() : where + ": ") + paint(severity_name(s), sgr(s), colour) + ": " +
             f.title + ": " + f.message + "\n";
      if (!f.hint.empty()) out += "    hint: " + f.hint + "\n";
    }
  }
  if (!out.empty()) out += "\n";
  return out + summary_line(r, fail_on);
}

std::string format_check_json(const CheckResult& r, Severity fail_on) {
  using nlohmann::json;
  Tally t = tally(r);
  json doc;
  doc["policy"] = r.policy_path;
  doc["target"] = r.target ? json(policy::target_name(*r.target)) : json(nullptr);
  doc["fail_on"] = severity_name(fail_on);
  doc["failed"] = r.fails(fail_on);
  doc["summary"] = {{"errors", r.count(Severity::Error)}, {"warnings", r.count(Severity::Warning)},
                    {"notices", r.count(Severity::Notice)}, {"domains", r.domains.size()},
                    {"allowed", t.allowed}, {"ignored", t.ignored}, {"blocked", t.blocked},
                    {"bare_ip", r.unnamed.size()}};
  doc["findings"] = json::array();
  for (const auto& f : r.findings) {
    json o{{"severity", severity_name(f.severity)}, {"code", f.code}, {"title", f.title}, {"message", f.message}};
    if (!f.domain.empty()) o["domain"] = f.domain;
    if (!f.rule.empty()) o["rule"] = f.rule;
    if (!f.where.file.empty()) o["location"] = {{"file", f.where.file}, {"line", f.where.line}, {"column", f.where.column}};
    if (!f.hint.empty()) o["hint"] = f.hint;
    doc["findings"].push_back(std::move(o));
  }
  doc["domains"] = json::array();
  for (const auto& d : r.domains) {
    json o{{"name", d.name}, {"verdict", policy::decision_name(d.decision)}, {"count", d.count}, {"seen_via", d.via}};
    if (!d.rule.empty()) o["rule"] = d.rule;
    if (!d.rule_source.empty()) o["rule_source"] = d.rule_source;
    doc["domains"].push_back(std::move(o));
  }
  doc["unnamed"] = json::array();
  for (const auto& u : r.unnamed)
    doc["unnamed"].push_back({{"address", u.address}, {"port", u.port}, {"transport", u.transport}, {"count", u.count}});
  // error_handler replace: addresses come from files; never let invalid UTF-8 throw here.
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string github_escape_data(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '%') out += "%25";
    else if (c == '\r') out += "%0D";
    else if (c == '\n') out += "%0A";
    else out += c;
  }
  return out;
}

std::string github_escape_property(std::string_view s) {
  std::string out;
  for (char c : github_escape_data(s)) {
    if (c == ':') out += "%3A";
    else if (c == ',') out += "%2C";
    else out += c;
  }
  return out;
}

std::string format_check_github(const CheckResult& r) {
  std::string out;
  for (const auto& f : r.findings) {
    std::string props;
    if (!f.where.file.empty()) {
      props = "file=" + github_escape_property(f.where.file);
      if (f.where.line > 0) props += ",line=" + std::to_string(f.where.line);
      if (f.where.column > 0) props += ",col=" + std::to_string(f.where.column);
    } else if (!r.policy_path.empty()) {
      // The fix for an unlisted domain is an edit to the policy: point there.
      props = "file=" + github_escape_property(r.policy_path) + ",line=1";
    }
    props += std::string(props.empty() ? "" : ",") + "title=" + github_escape_property("netmap: " + f.title);
    std::string msg = f.message + (f.hint.empty() ? "" : "\nhint: " + f.hint);
    out += "::" + std::string(severity_name(f.severity)) + " " + props + "::" + github_escape_data(msg) + "\n";
  }
  return out;
}

std::string xml_escape(std::string_view s) {
  std::string out;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
    case '&': out += "&amp;"; break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '"': out += "&quot;"; break;
    case '\'': out += "&apos;"; break;
    default:
      // XML 1.0 §2.2: only TAB, LF and CR below 0x20; bytes >= 0x80 would need valid UTF-8.
      out += (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c >= 0x80 ? '?' : ch;
    }
  }
  return out;
}

} // namespace netmap::report
