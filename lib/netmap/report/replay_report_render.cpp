// Rendering of the replay report: a table and its details for terminals, and JSON.

#include "netmap/report/replay_report.hpp"
#include "netmap/report/table.hpp"

#include <nlohmann/json.hpp>

#include <sstream>

namespace netmap::report {

namespace {

std::string via_text(const BlockedEntry& b) {
  std::string s;
  for (const auto& [via, n] : b.via) s += (s.empty() ? "" : ", ") + via + " " + std::to_string(n);
  return s;
}

std::string where_text(const BlockedEntry& b) {
  std::string s = b.key();
  if (!b.name.empty() && !b.address.empty()) s += " (" + b.address + ")";
  if (b.ports.size() == 1 && b.via.count("dns") == 0) s += ":" + std::to_string(*b.ports.begin());
  return s;
}

std::string process_text(const BlockedEntry& b) {
  if (b.processes.empty()) return "-";
  std::string s = std::to_string(b.processes.front().pid) + " " + b.processes.front().command;
  if (s.size() > 48) s = s.substr(0, 45) + "...";
  if (b.processes.size() > 1) s += " (+" + std::to_string(b.processes.size() - 1) + ")";
  return s;
}

std::string short_fix(const BlockedEntry& b) {
  if (b.fix_action == "allow") return "allow " + b.fix_rule + " (or mock)";
  if (b.fix_action == "mock") return "mock it";
  if (b.fix_action == "use-proxy" && b.ports.empty() && b.notes.count("ping") != 0) return "pings never pass";
  if (b.fix_action == "use-proxy") return "client bypasses the proxy";
  if (b.fix_action == "use-name") return "use a host name";
  if (b.fix_action == "methods") return "method not allowed";
  return "review";
}

std::string paint(bool colour, const char* sgr, const std::string& s) {
  return colour ? std::string("\x1b[") + sgr + "m" + s + "\x1b[0m" : s;
}

std::string summary_line(const ReplayReport& r) {
  std::ostringstream o;
  o << "netmap replay: `" << r.outcome.command << "` ";
  if (r.outcome.signal != 0) o << "was killed by signal " << r.outcome.signal;
  else o << "exited " << r.outcome.exit_code;
  std::size_t explained = 0;
  for (const auto& t : r.failed_tests) explained += t.blocked.empty() ? 0 : 1;
  o << "; " << r.blocked.size() << (r.blocked.size() == 1 ? " destination" : " destinations") << " blocked";
  if (!r.failed_tests.empty())
    o << "; " << explained << " of " << r.failed_tests.size() << (r.failed_tests.size() == 1 ? " failing test" : " failing tests")
      << " explained";
  o << " (dns-mode " << r.outcome.dns_mode << ", " << r.allowed.size() << (r.allowed.size() == 1 ? " name" : " names")
    << " allowed)\n";
  return o.str();
}

} // namespace

std::string render_replay_text(const ReplayReport& r, bool colour) {
  std::ostringstream out;
  out << summary_line(r);
  if (!r.blocked.empty()) {
    Table t({"BLOCKED", "VIA", "VERDICT", "PROCESS", "TESTS", "FIX"});
    for (const auto& b : r.blocked) {
      t.add_row({where_text(b), via_text(b), b.verdict, process_text(b), std::to_string(b.tests.size()), short_fix(b)});
      t.colour_last(0, "31");
    }
    out << "\n" << t.render(colour);
    for (const auto& b : r.blocked) {
      out << "\n" << paint(colour, "1", b.key()) << ": " << b.fix << "\n";
      if (!b.rule.empty()) out << "  rule: " << b.rule << (b.rule_source.empty() ? "" : " (" + b.rule_source + ")") << "\n";
      for (const auto& n : b.notes) out << "  note: " << n << "\n";
      if (!b.shared_by.empty()) {
        out << "  note: an address several names resolved to:";
        for (const auto& n : b.shared_by) out << " " << n;
        out << "\n";
      }
      for (const auto& p : b.processes) out << "  process: " << p.pid << " " << p.command << "\n";
      for (const auto& test : b.tests) out << "  breaks: " << test << "\n";
      for (const auto& e : b.evidence)
        out << "  evidence (" << e.tool << ", " << e.kind << ", " << e.source << "): " << e.text << "\n";
    }
  }
  std::vector<const ReplayFailedTest*> unexplained;
  for (const auto& t : r.failed_tests)
    if (t.blocked.empty()) unexplained.push_back(&t);
  if (!unexplained.empty()) {
    out << "\nFailing tests no blocked destination explains:\n";
    for (const auto* t : unexplained) {
      out << "  " << t->name;
      if (!t->hosts.empty()) {
        out << " (names";
        for (const auto& h : t->hosts) out << " " << h;
        out << ", not seen blocked)";
      }
      out << "\n";
    }
  }
  bool direct_unnamed = false;
  for (const auto& b : r.blocked) direct_unnamed |= b.via.count("direct") != 0 && b.processes.empty();
  if (direct_unnamed && !r.refusing_device_missing.empty())
    out << "\nnote: direct attempts are named by process reliably only where the fence can make its refusing device: "
        << r.refusing_device_missing << "\n";
  for (const auto& p : r.junit.problems) out << "\njunit: " << p;
  if (!r.junit.problems.empty()) out << "\n";
  return out.str();
}

nlohmann::json replay_to_json(const ReplayReport& r) {
  using nlohmann::json;
  json blocked = json::array();
  for (const auto& b : r.blocked) {
    json procs = json::array();
    for (const auto& p : b.processes) procs.push_back({{"pid", p.pid}, {"command", p.command}});
    json ev = json::array();
    for (const auto& e : b.evidence)
      ev.push_back({{"test", e.test}, {"tool", e.tool}, {"kind", e.kind}, {"text", e.text}, {"source", e.source}});
    json j{{"via", b.via},           {"attempts", b.attempts},   {"ports", b.ports},   {"verdict", b.verdict},
           {"processes", procs},     {"tests", b.tests},         {"evidence", ev},     {"notes", b.notes},
           {"fix", {{"action", b.fix_action}, {"text", b.fix}}}};
    if (!b.name.empty()) j["name"] = b.name;
    if (!b.address.empty()) j["address"] = b.address;
    if (!b.shared_by.empty()) j["shared_by"] = b.shared_by;
    if (!b.rule.empty()) j["rule"] = b.rule, j["rule_source"] = b.rule_source;
    if (!b.fix_rule.empty()) j["fix"]["allow"] = b.fix_rule;
    blocked.push_back(std::move(j));
  }
  json tests = json::array();
  for (const auto& t : r.failed_tests)
    tests.push_back({{"name", t.name}, {"source", t.source}, {"message", t.message}, {"blocked", t.blocked},
                     {"hosts_not_seen_blocked", t.hosts}, {"explained", !t.blocked.empty()}});
  json outcome{{"command", r.outcome.command}, {"exit_code", r.outcome.exit_code}, {"dns_mode", r.outcome.dns_mode},
               {"duration_s", r.outcome.duration_s}};
  if (r.outcome.signal != 0) outcome["signal"] = r.outcome.signal;
  json j{{"schema", "netmap.replay"},
              {"version", 1},
              {"outcome", outcome},
              {"blocked", blocked},
              {"failed_tests", tests},
              {"allowed", r.allowed},
              {"stats",
               {{"allowed_attempts", r.allowed_attempts},
                {"ignored_attempts", r.ignored_attempts},
                {"output_lines", r.output_lines},
                {"matches_dropped", r.matches_dropped},
                {"process_lookups", r.process_lookups},
                {"direct_attempts_to", r.refusing_device ? "device" : "loopback"}}},
              {"junit",
               {{"files", r.junit.files},
                {"tests", r.junit.tests},
                {"failures", r.junit.failures},
                {"errors", r.junit.errors},
                {"skipped", r.junit.skipped},
                {"problems", r.junit.problems}}},
              {"exit_code", r.exit_code()}};
  if (!r.refusing_device_missing.empty()) j["stats"]["refusing_device_missing"] = r.refusing_device_missing;
  return j;
}

} // namespace netmap::report
