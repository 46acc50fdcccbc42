#include "netmap/policy/policy.hpp"

#include <gtest/gtest.h>

using namespace netmap;
using namespace netmap::policy;

namespace {
std::string error_of(const std::string& yaml) {
  try {
    (void)parse_policy(yaml, "netmap.yaml");
  } catch (const base::UserError& e) {
    return e.where().str() + ": " + e.message() + (e.hint().empty() ? "" : " | " + e.hint());
  }
  return "no error";
}
} // namespace

TEST(PolicyFile, FullPolicy) {
  auto p = parse_policy(R"(presets: [codex-common]
allow:
  - api.internal.company.com
  - "*.registry.company.com"
deny: [evil.example.com]
mock:
  - telemetry.example.com
ignore: [localhost.localdomain]
methods: [get, HEAD]
proxy:
  http: "http://proxy.internal:3128"
  https: "http://proxy.internal:3128"
  no_proxy: "localhost,127.0.0.1"
dns:
  custom_resolvers: ["10.0.0.53"]
)", "netmap.yaml");
  ASSERT_EQ(p.presets.size(), 1u);
  ASSERT_EQ(p.rules.size(), 5u);
  EXPECT_EQ(p.rules[0].source.str(), "netmap.yaml:3:5");
  EXPECT_EQ(p.rules[1].kind, MatchKind::Subdomains);
  EXPECT_EQ(p.rules[2].action, Action::Deny);
  EXPECT_EQ(p.methods, (std::vector<std::string>{"GET", "HEAD"}));
  EXPECT_EQ(p.proxy.no_proxy, "localhost,127.0.0.1");
  EXPECT_EQ(p.custom_resolvers.size(), 1u);
  auto m = p.build_matcher();
  EXPECT_EQ(m.decide("api.internal.company.com").decision, Decision::Allowed);
  EXPECT_EQ(m.decide("files.pythonhosted.org").decision, Decision::Allowed);
  EXPECT_EQ(m.decide("evil.example.com").decision, Decision::Denied);
  EXPECT_EQ(m.decide("telemetry.example.com").decision, Decision::Mock);
}

TEST(PolicyFile, CodexNetworkBlock) {
  auto p = parse_policy(R"(network:
  proxy:
    http: "http://proxy.internal:3128"
    https: "http://proxy.internal:3128"
    no_proxy: "localhost,127.0.0.1"
  dns:
    custom_resolvers:
      - "10.0.0.53" # Internal DNS for corp domains
    allowlist_additions:
      - "api.internal.company.com"
      - "registry.internal.company.com"
)", "codex.yaml");
  EXPECT_TRUE(p.codex_block);
  ASSERT_EQ(p.rules.size(), 2u);
  EXPECT_EQ(p.rules[0].kind, MatchKind::ApexAndSubdomains) << "Codex entries keep Codex's meaning";
  EXPECT_EQ(p.proxy.https, "http://proxy.internal:3128");
}

TEST(PolicyFile, UnknownKeysSuggest) {
  EXPECT_EQ(error_of("alow: [x.com]\n"), "netmap.yaml:1:1: unknown key 'alow' in the policy | did you mean 'allow'?");
  EXPECT_NE(error_of("proxy:\n  htps: x\n").find("did you mean 'https'"), std::string::npos);
  EXPECT_NE(error_of("presets: [codex]\n").find("unknown preset 'codex'"), std::string::npos);
}

TEST(PolicyFile, HostileYaml) {
  EXPECT_EQ(error_of("allow:\n\t- x.com\n"), "netmap.yaml:2:1: tab character in indentation | YAML indents with spaces only");
  EXPECT_NE(error_of("allow: [a.com]\nallow: [b.com]\n").find("duplicate key 'allow'"), std::string::npos);
  EXPECT_NE(error_of("allow: {a: b}\n").find("must be a list"), std::string::npos);
  EXPECT_NE(error_of("allow:\n  - [a.com]\n").find("2:5"), std::string::npos);
  EXPECT_EQ(error_of("deny: [~]\n"), "netmap.yaml:1:8: each entry of 'deny' is empty (null)");
  EXPECT_NE(error_of("allow: [\"https://a.com/x\"]\n").find("1:9: rule"), std::string::npos);
  EXPECT_NE(error_of("allow: [a.com:443]\n").find("port"), std::string::npos);
  EXPECT_NE(error_of("allow: [a.*.com]\n").find("inside the name"), std::string::npos);
  EXPECT_NE(error_of("allow: [\"unterminated\n").find("invalid YAML"), std::string::npos);
  EXPECT_NE(error_of("- a\n- b\n").find("must be a mapping"), std::string::npos);
  EXPECT_NE(error_of("methods: [FETCH]\n").find("unknown HTTP method"), std::string::npos);
  EXPECT_NE(error_of("dns:\n  custom_resolvers: [resolver.corp]\n").find("not an IP"), std::string::npos);
  EXPECT_NE(error_of("network:\n  dns: {}\nallow: [a.com]\n").find("cannot stand beside"), std::string::npos);
  EXPECT_NE(error_of("&a [*a]\n").find("netmap.yaml"), std::string::npos);
  // Nesting is bounded by the YAML parser; the error says so, not yaml-cpp's "bad file".
  std::string deep = error_of("allow: " + std::string(100000, '[') + "\n");
  EXPECT_NE(deep.find("invalid YAML: nested"), std::string::npos) << deep;
  EXPECT_EQ(deep.find("bad file"), std::string::npos) << deep;
}

// Proxy URLs are checked for their form only (an export carries them into the sandbox's config),
// and keep where they were written so that netmap's own proxy can point at them when it cannot
// chain to one.
TEST(PolicyFile, ProxyUrlsAreUrlsAndKeepTheirPlace) {
  EXPECT_EQ(error_of("proxy:\n  https: \"not a url\"\n"),
            "netmap.yaml:2:10: 'proxy.https' 'not a url' is not a URL: it holds a space | e.g. http://proxy.internal:3128");
  EXPECT_NE(error_of("proxy: {http: \"http://a\\tb\"}\n").find("a control character"), std::string::npos);
  auto p = parse_policy("proxy:\n  http: \"  \"\n  https: \"https://tls-proxy.corp:443\"\n", "netmap.yaml");
  EXPECT_EQ(p.proxy.http, ""); // blank: no upstream proxy
  EXPECT_EQ(p.proxy.https, "https://tls-proxy.corp:443");
  EXPECT_EQ(p.proxy.https_at.str(), "netmap.yaml:3:10");
}

// A second document would be dropped unread, and a deny rule with it.
TEST(PolicyFile, OneDocumentOnly) {
  EXPECT_EQ(error_of("allow: [b.example]\n---\nallow: [a.example]\ndeny: [b.example]\n"),
            "netmap.yaml:2:1: a second YAML document starts here; a policy is one | put every list in one document "
            "(remove the '---' line between them)");
  EXPECT_EQ(error_of("---\n...\n---\nallow: [a.example]\n").substr(0, 14), "netmap.yaml:3:");
  EXPECT_EQ(error_of("allow: [a.example]\n...\ndeny: [b.example]\n").substr(0, 14), "netmap.yaml:3:");
  EXPECT_EQ(error_of("--- {allow: [a.example]}\n--- {deny: [b.example]}\n").substr(0, 14), "netmap.yaml:2:");
  // One document, with the markers YAML allows around it, and a "---" that is no marker.
  EXPECT_EQ(parse_policy("%YAML 1.2\n---\n# comment\nallow: [a.example]\n... # end\n\n", "netmap.yaml").rules.size(), 1u);
  EXPECT_EQ(parse_policy("allow:\n  - a.example\n#---\n", "netmap.yaml").rules.size(), 1u);
  // yaml-cpp 0.7's LoadAll loops for ever, and grows, on this; the loader must return.
  (void)error_of(",\n");
  EXPECT_NE(error_of("allow:\n  - *.other.test\n").find("| a rule that starts with '*' must be quoted"), std::string::npos);
}

TEST(PolicyFile, EmptyFileIsEmptyPolicy) {
  auto p = parse_policy("", "netmap.yaml");
  EXPECT_TRUE(p.rules.empty());
  EXPECT_EQ(p.build_matcher().decide("example.com").decision, Decision::Unlisted);
}

TEST(PolicyFile, OverridesReplacePresetsAndAddRules) {
  PolicyOverrides o;
  o.presets = {"claude-trusted"};
  o.allow = {"**.corp.example"};
  std::string note;
  // The working directory of the test has no netmap.yaml above it only by accident; be explicit.
  o.file = std::string(NETMAP_SOURCE_DIR) + "/tests/data/policy/minimal.yaml";
  auto p = resolve_policy(o, &note);
  ASSERT_EQ(p.presets.size(), 1u);
  EXPECT_EQ(p.presets[0].name, "claude-trusted");
  EXPECT_EQ(p.rules.back().source.str(), "--allow");
  EXPECT_THROW((void)resolve_policy({"", {"no-such"}, {}}, nullptr), base::UserError);
  EXPECT_THROW((void)resolve_policy({"", {}, {"http://x.com"}}, nullptr), base::UserError);
}

// deny wins over allow, so '*' as a refusal would refuse every name (audit F6); an invalid A-label
// is no rule (audit N1). Both are errors at their place in the file.
TEST(PolicyFile, RefusesDenyEverythingAndInvalidALabels) {
  EXPECT_EQ(error_of("allow: [a.example]\ndeny:\n  - \"*\"\n").substr(0, 48), "netmap.yaml:3:5: '*' cannot be a deny rule: it w");
  EXPECT_NE(error_of("mock: [\"*\"]\n").find("netmap.yaml:1:8: '*' cannot be a mock rule"), std::string::npos);
  EXPECT_NE(error_of("deny: [\"*\"]\n").find("| names no allow rule admits are blocked already"), std::string::npos);
  EXPECT_NE(error_of("allow: [xn--zz.example]\n").find("netmap.yaml:1:9: "), std::string::npos);
  EXPECT_NE(error_of("allow: [xn--zz.example]\n").find("not a valid A-label"), std::string::npos);
  EXPECT_EQ(error_of("allow: [\"*\"]\nignore: [\"*\"]\n"), "no error");
}

TEST(PolicyFile, MethodsKeepTheirPlace) {
  auto p = parse_policy("allow: [a.example]\nmethods: [get, HEAD]\n", "netmap.yaml");
  EXPECT_EQ(p.methods, (std::vector<std::string>{"GET", "HEAD"}));
  EXPECT_EQ(p.methods_at.str(), "netmap.yaml:2:10");
}
