#pragma once
// What `netmap replay` reports: per blocked domain (or bare address), how it was reached (dns,
// proxy, direct), how often, by which process, which failing tests it explains, and the fix —
// the exact `allow` rule to add, or "mock it".

#include "netmap/inventory/event.hpp"
#include "netmap/inventory/inventory.hpp"
#include "netmap/policy/matcher.hpp"
#include "netmap/report/failure_pattern.hpp"
#include "netmap/report/replay_report_junit.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace netmap::report {

/// A process that made an attempt.
struct ReplayProcess {
  std::int64_t pid = 0;
  std::string command;
};

/// A line of evidence tying a failure to a blocked destination.
struct ReplayEvidence {
  std::string test;    ///< failing test it belongs to ("" for the command's output at large)
  std::string tool;    ///< client that printed it
  std::string kind;    ///< failure_kind_name()
  std::string text;    ///< the line (safe text)
  std::string source;  ///< "output:LINE" or the JUnit file
};

/// One refusal, kept to tie a message that names no host to the destination it was about.
struct ReplayRefusal {
  std::int64_t time_us = 0; ///< when the attempt reached netmap
  std::string program;      ///< the refused process's program, with the script an interpreter ran ("python3 pip3"); "" when unknown
  bool claimed = false;     ///< a message in the output already explains it (build() only)
};

/// One blocked destination.
struct BlockedEntry {
  std::string name;                          ///< host name (empty when only an address is known)
  std::string address;                       ///< address, for bare-IP attempts (or the one a direct attempt used)
  std::map<std::string, std::uint64_t> via;  ///< "dns", "proxy", "direct" → attempts
  std::uint64_t attempts = 0;
  std::set<std::uint16_t> ports;
  std::string verdict;                       ///< policy decision_name(), or "direct"/"ip-literal"/…
  std::string rule;                          ///< deciding rule text, if any
  std::string rule_source;                   ///< where that rule was written
  std::set<std::string> notes;               ///< "sni-mismatch: x", "method-blocked", "dns query"…
  std::set<std::string> shared_by;           ///< names that resolved to `address`, when more than one did (a direct attempt cannot say which it meant)
  std::vector<ReplayProcess> processes;      ///< distinct, at most a few
  std::set<std::string> tests;               ///< failing tests it explains
  std::vector<ReplayEvidence> evidence;      ///< a few lines tying failures to it
  std::string fix_action;                    ///< "allow", "mock", "use-proxy", "use-name", "methods", "review"
  std::string fix_rule;                      ///< the exact rule text to add under `allow:` (fix_action allow)
  std::string fix;                           ///< the suggestion as a sentence
  std::vector<ReplayRefusal> proxy_refusals; ///< the proxy's latest refusals of it (for tying host-less messages)
  std::vector<ReplayRefusal> dns_refusals;   ///< the resolver's latest refusals of it
  std::vector<ReplayRefusal> direct_refusals; ///< the direct attempts to it seen last
  /// name, or address when no name is known.
  [[nodiscard]] const std::string& key() const noexcept { return name.empty() ? address : name; }
};

/// A failing test and what explains it.
struct ReplayFailedTest {
  std::string name;
  std::string source;               ///< JUnit file, or "output"
  std::string message;              ///< the failure message (safe text), when known
  std::vector<std::string> blocked; ///< keys of the entries that explain it
  std::vector<std::string> hosts;   ///< hosts its messages named that netmap did not see blocked
};

/// How the command ended and how it was run.
struct ReplayOutcome {
  std::string command;    ///< the command line (safe text)
  int exit_code = 0;      ///< shell convention (128 + signal)
  int signal = 0;         ///< killing signal, 0 when it exited
  std::string dns_mode;   ///< "nxdomain" or "resolve"
  double duration_s = 0;  ///< wall time of the command
};

/// The whole report.
struct ReplayReport {
  ReplayOutcome outcome;
  std::vector<BlockedEntry> blocked;        ///< most explaining first
  std::vector<ReplayFailedTest> failed_tests;
  std::set<std::string> allowed;            ///< names the policy allows that were reached through the fence
  std::uint64_t allowed_attempts = 0;
  std::uint64_t ignored_attempts = 0;       ///< attempts to names the policy ignores (fenced, not reported)
  JUnitResult junit;                        ///< what the JUnit reports held (cases cleared)
  std::uint64_t output_lines = 0;
  std::uint64_t matches_dropped = 0;
  std::uint64_t process_lookups = 0;        ///< walks of /proc to name the process behind a refused attempt
  bool refusing_device = false;             ///< direct attempts went to the fence's refusing TUN device
  std::string refusing_device_missing;      ///< why it could not be made (then direct TCP attempts go unnamed)
  /// 0 when nothing was blocked and the command passed, else 1.
  [[nodiscard]] int exit_code() const noexcept { return blocked.empty() && outcome.exit_code == 0 ? 0 : 1; }
};

/// Folds events from the resolver, the proxy and the direct-attempt watcher as they come
/// (thread-safe), then builds the report. Keeps aggregates only, so memory stays bounded by the
/// number of distinct destinations, not attempts.
class ReplayCollector {
public:
  /// `matcher` (required, outlives the collector) decides names the events do not decide;
  /// `policy_name` is the file the fixes tell the user to edit.
  explicit ReplayCollector(const policy::Matcher* matcher, std::string policy_name = "netmap.yaml");

  /// Folds one event; safe from any thread.
  void add(const inventory::Event& e);
  /// The inventory of every event so far (copy; thread-safe).
  [[nodiscard]] inventory::Inventory inventory() const;
  /// The name a direct attempt's address stands for, learned from the resolver's answers: "" when
  /// none resolved to it, or when several did (CDN addresses are shared).
  [[nodiscard]] std::string name_for_address(const std::string& address) const;

  /// The report: blocked entries tied to the failing tests of `junit` and `output`.
  [[nodiscard]] ReplayReport build(const ReplayOutcome& outcome, JUnitResult junit, const FailureScanner& output) const;

private:
  void add_blocked(const inventory::Event& e, const std::string& via);
  void learn_address(const std::string& address, const std::string& name);

  const policy::Matcher* m_matcher;
  std::string m_policy_name;
  mutable std::mutex m_mutex;
  inventory::Inventory m_inventory;
  std::map<std::string, BlockedEntry> m_blocked;     ///< by key
  std::map<std::string, std::vector<std::string>> m_address_names; ///< from answered DNS queries: address → names (a few)
  std::set<std::string> m_allowed;
  std::uint64_t m_allowed_attempts = 0;
  std::uint64_t m_ignored_attempts = 0;
};

/// The report for a terminal: summary line, the table of blocked destinations, the tests each
/// explains with evidence, and the failing tests nothing explains.
[[nodiscard]] std::string render_replay_text(const ReplayReport& r, bool colour);
/// The report as JSON.
[[nodiscard]] nlohmann::json replay_to_json(const ReplayReport& r);

} // namespace netmap::report
