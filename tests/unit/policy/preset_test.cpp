#include "netmap/policy/matcher.hpp"
#include "netmap/policy/preset.hpp"

#include <gtest/gtest.h>

using namespace netmap::policy;

TEST(Preset, AllFourAreEmbedded) {
  for (const char* n : {"codex-common", "copilot-recommended", "claude-trusted", "none"})
    EXPECT_NE(find_preset(n), nullptr) << n;
  EXPECT_EQ(find_preset("codex"), nullptr);
}

TEST(Preset, CountsAndProvenance) {
  const auto* codex = find_preset("codex-common");
  ASSERT_TRUE(codex);
  EXPECT_EQ(codex->rules.size(), 71u);
  EXPECT_FALSE(codex->source.empty());
  EXPECT_EQ(codex->bare, MatchKind::ApexAndSubdomains);
  const auto* none = find_preset("none");
  EXPECT_TRUE(none->rules.empty());
  const auto* copilot = find_preset("copilot-recommended");
  EXPECT_EQ(copilot->url_entries.size(), 6u);
  EXPECT_EQ(copilot->ip_entries.size(), 2u);
}

TEST(Preset, EachListKeepsItsVendorsSemantics) {
  auto match = [](const char* preset, const char* name) {
    netmap::policy::Matcher m;
    for (const auto& r : find_preset(preset)->rules) m.add(r);
    return m.decide(name).decision == Decision::Allowed;
  };
  // Codex: registry hosts sit below the listed names.
  EXPECT_TRUE(match("codex-common", "files.pythonhosted.org"));
  EXPECT_TRUE(match("codex-common", "pythonhosted.org"));
  // Copilot: bare domains include subdomains.
  EXPECT_TRUE(match("copilot-recommended", "sub.ghcr.io"));
  EXPECT_FALSE(match("copilot-recommended", "storage.googleapis.com")) << "only URL-prefix entries name it";
  // Claude: bare entries are exact.
  EXPECT_TRUE(match("claude-trusted", "github.com"));
  EXPECT_FALSE(match("claude-trusted", "foo.github.com"));
  EXPECT_TRUE(match("claude-trusted", "x.gcr.io"));
  EXPECT_FALSE(match("none", "github.com"));
}
