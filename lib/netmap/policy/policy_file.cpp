// Loading netmap.yaml (and Codex `network:` blocks) with yaml-cpp, turning every problem into a
// UserError that points at file:line:col. yaml-cpp exceptions never escape this file.

#include "netmap/base/atomic_file.hpp"
#include "netmap/base/text.hpp"
#include "netmap/policy/policy.hpp"
#include "netmap/policy/preset.hpp"
#include "netmap/policy/target.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <set>

namespace netmap::policy {

namespace {

using base::Location;
using base::UserError;

const std::vector<std::string> k_top_keys = {"presets", "allow", "deny", "mock", "ignore", "methods", "proxy", "dns", "network"};
const std::vector<std::string> k_proxy_keys = {"http", "https", "no_proxy"};
const std::vector<std::string> k_dns_keys = {"custom_resolvers", "allowlist_additions"};
const std::vector<std::string> k_network_keys = {"proxy", "dns"};
const std::vector<std::string> k_methods = {"GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "TRACE"};

class Loader {
public:
  Loader(std::string file) : m_file(std::move(file)) {}

  Location at(const YAML::Node& n) const {
    auto m = n.Mark();
    if (m.is_null()) return {m_file, 0, 0};
    return {m_file, m.line + 1, m.column + 1};
  }

  [[noreturn]] void fail(const YAML::Node& n, const std::string& msg, const std::string& hint = {}) const {
    throw UserError(at(n), msg, hint);
  }

  // Checks that `n` is a map with only `allowed` keys, each once; returns nothing, throws on error.
  void check_map(const YAML::Node& n, const std::string& what, const std::vector<std::string>& allowed) const {
    if (!n.IsMap()) fail(n, what + " must be a mapping (key: value)");
    std::set<std::string> seen;
    for (const auto& kv : n) {
      if (!kv.first.IsScalar()) fail(kv.first, what + " has a key that is not a plain word");
      auto key = kv.first.Scalar();
      if (!seen.insert(key).second) fail(kv.first, "duplicate key '" + base::escape_bytes(key) + "' in " + what);
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        auto c = base::closest(key, allowed);
        fail(kv.first, "unknown key '" + base::escape_bytes(key) + "' in " + what,
             c.empty() ? "known keys: " + join(allowed) : "did you mean '" + c + "'?");
      }
    }
  }

  static std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
  }

  std::string scalar(const YAML::Node& n, const std::string& what) const {
    if (n.IsNull()) fail(n, what + " is empty (null)");
    if (!n.IsScalar()) fail(n, what + " must be a single value, not a " + (n.IsMap() ? "mapping" : "list"));
    return n.Scalar();
  }

  // A list of scalars; a single scalar is accepted as a one-element list.
  std::vector<std::pair<std::string, YAML::Node>> scalars(const YAML::Node& n, const std::string& what) const {
    std::vector<std::pair<std::string, YAML::Node>> out;
    if (!n.IsDefined() || n.IsNull()) return out;
    if (n.IsScalar()) {
      out.emplace_back(n.Scalar(), n);
      return out;
    }
    if (!n.IsSequence()) fail(n, what + " must be a list");
    for (const auto& item : n) out.emplace_back(scalar(item, "each entry of " + what), item);
    return out;
  }

  void rules(const YAML::Node& n, const std::string& key, Action action, MatchKind bare, Policy& p) const {
    for (auto& [text, node] : scalars(n, "'" + key + "'")) {
      auto r = parse_rule(text, bare);
      if (!r) fail(node, r.error());
      Rule rule = std::move(r).value();
      // Deny wins over allow, so '*' here would refuse every name, the allowed ones too; what it
      // usually means (refuse what is not allowed) is what the fence already does.
      if (rule.kind == MatchKind::Any && (action == Action::Deny || action == Action::Mock))
        fail(node, "'*' cannot be a " + key + " rule: it would refuse every name, the allowed ones too (deny wins over allow)",
             "names no allow rule admits are blocked already; remove it, or list the domains to refuse");
      rule.action = action;
      rule.source.origin = m_file;
      rule.source.where = at(node);
      p.rules.push_back(std::move(rule));
    }
  }

  // A proxy URL is checked for its form only: what the sandbox accepts there (an https:// proxy,
  // say) is not for netmap to refuse, but blanks and control bytes are no URL anywhere, and an
  // export would carry them into the sandbox's config. Empty means no upstream proxy.
  std::string proxy_url(const YAML::Node& n, const std::string& what) const {
    if (n.IsNull()) return {};
    std::string v(base::trim(scalar(n, what)));
    for (unsigned char c : v)
      if (c <= 0x20 || c == 0x7f)
        fail(n, what + " '" + base::printable(v) + "' is not a URL: it holds " + (c == ' ' ? "a space" : "a control character"),
             "e.g. http://proxy.internal:3128");
    return v;
  }

  void proxy(const YAML::Node& n, Policy& p) const {
    check_map(n, "'proxy'", k_proxy_keys);
    if (n["http"]) {
      p.proxy.http = proxy_url(n["http"], "'proxy.http'");
      if (!p.proxy.http.empty()) p.proxy.http_at = at(n["http"]);
    }
    if (n["https"]) {
      p.proxy.https = proxy_url(n["https"], "'proxy.https'");
      if (!p.proxy.https.empty()) p.proxy.https_at = at(n["https"]);
    }
    if (n["no_proxy"]) {
      const auto& np = n["no_proxy"];
      if (np.IsSequence()) {
        for (auto& [v, node] : scalars(np, "'proxy.no_proxy'")) p.proxy.no_proxy += (p.proxy.no_proxy.empty() ? "" : ",") + v;
      } else {
        p.proxy.no_proxy = scalar(np, "'proxy.no_proxy'");
      }
    }
  }

  void dns(const YAML::Node& n, Policy& p, bool codex) const {
    check_map(n, "'dns'", k_dns_keys);
    if (n["custom_resolvers"])
    for (auto& [v, node] : scalars(n["custom_resolvers"], "'dns.custom_resolvers'")) {
      if (!is_ip_literal(v) && v.find(':') == std::string::npos)
        fail(node, "custom resolver '" + base::escape_bytes(v) + "' is not an IP address", "resolvers are addresses, e.g. 10.0.0.53");
      p.custom_resolvers.push_back(v);
    }
    if (n["allowlist_additions"]) {
      // Codex reads its additions with its own (suffix) semantics; netmap keeps that meaning.
      rules(n["allowlist_additions"], "dns.allowlist_additions", Action::Allow,
            codex ? bare_meaning(Target::Codex) : MatchKind::Exact, p);
    }
  }

  void methods(const YAML::Node& n, Policy& p) const {
    p.methods_at = at(n);
    for (auto& [v, node] : scalars(n, "'methods'")) {
      std::string up = v;
      for (char& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (std::find(k_methods.begin(), k_methods.end(), up) == k_methods.end()) {
        auto c = base::closest(up, k_methods);
        fail(node, "unknown HTTP method '" + base::escape_bytes(v) + "'", c.empty() ? "" : "did you mean '" + c + "'?");
      }
      p.methods.push_back(up);
    }
  }

  void presets(const YAML::Node& n, Policy& p) const {
    for (auto& [v, node] : scalars(n, "'presets'")) {
      if (!find_preset(v)) {
        auto c = base::closest(v, preset_names());
        fail(node, "unknown preset '" + base::escape_bytes(v) + "'",
             c.empty() ? "known presets: " + join(preset_names()) : "did you mean '" + c + "'?");
      }
      p.presets.push_back({v, {m_file, at(node)}});
    }
  }

  Policy load(const YAML::Node& root) const {
    Policy p;
    p.path = m_file;
    if (root.IsNull()) return p;
    check_map(root, "the policy", k_top_keys);
    if (root["network"]) {
      // A Codex environment's `network:` block, used as is.
      for (const auto& k : {"presets", "allow", "deny", "mock", "ignore", "methods", "proxy", "dns"})
        if (root[k]) fail(root[k], std::string("'") + k + "' cannot stand beside a Codex 'network:' block", "put netmap's own keys in a separate netmap.yaml");
      p.codex_block = true;
      const auto& net = root["network"];
      if (net.IsNull()) return p;
      check_map(net, "'network'", k_network_keys);
      if (net["proxy"]) proxy(net["proxy"], p);
      if (net["dns"]) dns(net["dns"], p, true);
      return p;
    }
    if (root["presets"]) presets(root["presets"], p);
    if (root["allow"]) rules(root["allow"], "allow", Action::Allow, MatchKind::Exact, p);
    if (root["deny"]) rules(root["deny"], "deny", Action::Deny, MatchKind::Exact, p);
    if (root["mock"]) rules(root["mock"], "mock", Action::Mock, MatchKind::Exact, p);
    if (root["ignore"]) rules(root["ignore"], "ignore", Action::Ignore, MatchKind::Exact, p);
    if (root["methods"]) methods(root["methods"], p);
    if (root["proxy"]) proxy(root["proxy"], p);
    if (root["dns"]) dns(root["dns"], p, false);
    return p;
  }

private:
  std::string m_file;
};

// YAML forbids tabs in indentation; yaml-cpp's own message for them is cryptic, so look first.
void reject_tabs(const std::string& text, const std::string& file) {
  int line = 1;
  bool at_indent = true;
  int col = 0;
  for (char c : text) {
    ++col;
    if (c == '\n') {
      ++line;
      col = 0;
      at_indent = true;
    } else if (c == '\t' && at_indent) {
      throw UserError(Location{file, line, col}, "tab character in indentation", "YAML indents with spaces only");
    } else if (c != ' ') {
      at_indent = false;
    }
  }
}

// The line where a second YAML document starts, 0 when there is none. A "---" or "..." at the
// start of a line, followed by a blank or the line's end, is always a document marker (YAML 1.2
// §9.1.1 forbids it inside any scalar), so the text alone tells: a "---" after the first
// document's content or after a "...", or content after a "...".
int second_document_line(std::string_view text) {
  bool content = false, ended = false;
  int line = 0;
  for (std::size_t at = 0; at < text.size();) {
    std::size_t nl = text.find('\n', at);
    std::string_view l = text.substr(at, nl == std::string_view::npos ? text.size() - at : nl - at);
    at = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line;
    auto marker = [&](std::string_view m) {
      return l.substr(0, 3) == m && (l.size() == 3 || l[3] == ' ' || l[3] == '\t' || l[3] == '\r');
    };
    auto rest_has_content = [](std::string_view r) {
      auto first = r.find_first_not_of(" \t\r");
      return first != std::string_view::npos && r[first] != '#';
    };
    if (marker("---")) {
      if (content || ended) return line;
      content = rest_has_content(l.substr(3));
    } else if (marker("...")) {
      ended = true;
    } else if (rest_has_content(l) && !(l.front() == '%' && !content)) {
      if (ended) return line;
      content = true;
    }
  }
  return 0;
}

Location mark_location(const std::string& file, const YAML::Mark& m) {
  if (m.is_null()) return {file, 0, 0};
  return {file, m.line + 1, m.column + 1};
}

} // namespace

Policy parse_policy(const std::string& text, const std::string& file) {
  reject_tabs(text, file);
  // Reading only the first document would drop the others' rules (a deny among them) unseen.
  // Found in the text: yaml-cpp 0.7's LoadAll can loop for ever on malformed input.
  if (int line = second_document_line(text))
    throw UserError(Location{file, line, 1}, "a second YAML document starts here; a policy is one",
                    "put every list in one document (remove the '---' line between them)");
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp's own text for this is "bad file", which sends the reader the wrong way.
    throw UserError(mark_location(file, e.mark), "invalid YAML: nested " + std::to_string(e.depth()) + " levels deep",
                    "a policy is a few flat lists; is this the right file?");
  } catch (const YAML::Exception& e) {
    // An unquoted rule such as *.example.com reads as an alias to an anchor that does not exist.
    bool alias = e.msg.find("anchor") != std::string::npos;
    throw UserError(mark_location(file, e.mark), "invalid YAML: " + e.msg,
                    alias ? "a rule that starts with '*' must be quoted: \"*.example.com\"" : "");
  }
  try {
    return Loader(file).load(root);
  } catch (const YAML::Exception& e) {
    throw UserError(mark_location(file, e.mark), "invalid policy: " + e.msg);
  }
}

Policy load_policy_file(const std::string& path) { return parse_policy(base::read_file(path, k_max_policy_bytes), path); }

} // namespace netmap::policy
