#pragma once
// The user's policy (netmap.yaml, or a Codex `network:` block), merged with command-line flags.

#include "netmap/policy/matcher.hpp"
#include "netmap/policy/rule.hpp"

#include <optional>
#include <string>
#include <vector>

namespace netmap::policy {

/// The upstream proxy the sandbox chains to (the spec's `network.proxy`).
struct ProxySettings {
  std::string http;     ///< e.g. "http://proxy.internal:3128"
  std::string https;    ///< same for HTTPS
  std::string no_proxy; ///< comma-separated, as the clients read it
  base::Location http_at;  ///< where `http` was written, for messages about it
  base::Location https_at; ///< where `https` was written
};

/// A preset reference with where it was named.
struct PresetRef {
  std::string name;
  RuleSource source;
};

/// Everything a policy says. Rules keep their source so every verdict can name it.
struct Policy {
  std::string path;                          ///< the file it came from; empty when none
  std::vector<PresetRef> presets;            ///< built-in allowlists included
  std::vector<Rule> rules;                   ///< allow/deny/mock/ignore rules, in file order
  std::vector<std::string> methods;          ///< allowed HTTP methods; empty means any
  base::Location methods_at;                 ///< where `methods` was written
  ProxySettings proxy;                       ///< upstream proxy settings
  std::vector<std::string> custom_resolvers; ///< DNS upstreams (`dns.custom_resolvers`)
  bool codex_block = false;                  ///< loaded from a Codex `network:` block

  /// A matcher over the presets' rules and the policy's own rules.
  [[nodiscard]] Matcher build_matcher() const;
};

/// Parses policy YAML text; `file` names it in errors. Throws base::UserError with file:line:col.
[[nodiscard]] Policy parse_policy(const std::string& yaml_text, const std::string& file);
/// The largest policy file read: a policy is a few lists of names.
inline constexpr std::size_t k_max_policy_bytes = 16 << 20;
/// Reads and parses a policy file (at most k_max_policy_bytes). Throws base::UserError.
[[nodiscard]] Policy load_policy_file(const std::string& path);
/// The file a fix goes into, as hints and fixes name it: `path` made printable, or netmap.yaml
/// when no file was read (empty, or /dev/null).
[[nodiscard]] std::string fix_file_name(const std::string& path);
/// The nearest netmap.yaml in `start_dir` or its parents, if any.
[[nodiscard]] std::optional<std::string> find_policy_file(const std::string& start_dir);

/// What the command line says about the policy.
struct PolicyOverrides {
  std::string file;                ///< --policy (empty: search from the current directory)
  std::vector<std::string> presets; ///< --preset (replaces the file's presets when given)
  std::vector<std::string> allow;   ///< --allow (added to the file's rules)
};

/// The effective policy: the file (given or found) plus flags. `note` receives a line for stderr
/// when no file was found. Throws base::UserError for bad files, unknown presets, bad rules.
[[nodiscard]] Policy resolve_policy(const PolicyOverrides& overrides, std::string* note);

} // namespace netmap::policy
