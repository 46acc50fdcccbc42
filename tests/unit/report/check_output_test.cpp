#include "netmap/report/check_output.hpp"

#include "netmap/policy/policy.hpp"

#include "unit/contact_helpers.hpp"

#include <gtest/gtest.h>
#include <algorithm>
#include <nlohmann/json.hpp>

using namespace netmap;
using report::Severity;

namespace {

report::CheckResult sample() {
  auto pol = policy::parse_policy("allow: [api.example.com]\ndeny: [evil.example.com]\nignore: [local.test]\n", "ci/netmap.yaml");
  inventory::Inventory inv;
  for (const char* n : {"api.example.com", "evil.example.com", "new.example.org", "local.test"})
    inv.add(test::contact(n, inventory::SeenVia::Dns, 0, 0));
  inventory::Event ip;
  ip.address = "192.0.2.7";
  ip.port = 22;
  ip.transport = "tcp";
  inv.add(ip);
  return report::run_check(pol, inv, {});
}

} // namespace

TEST(CheckOutput, GithubEscaping) {
  EXPECT_EQ(report::github_escape_data("100% done\r\nnext"), "100%25 done%0D%0Anext");
  EXPECT_EQ(report::github_escape_property("a:b,c%"), "a%3Ab%2Cc%25");
}

TEST(CheckOutput, GithubCommandsPointAtThePolicy) {
  std::string out = report::format_check_github(sample());
  EXPECT_NE(out.find("::error file=ci/netmap.yaml,line=2,col=8,title=netmap%3A denied domain contacted::evil.example.com was"),
            std::string::npos) << out;
  // No rule position for an unlisted domain: the policy file's first line.
  EXPECT_NE(out.find("::error file=ci/netmap.yaml,line=1,title=netmap%3A domain not allowed::new.example.org"), std::string::npos) << out;
  EXPECT_NE(out.find("::warning file=ci/netmap.yaml,line=1,title=netmap%3A bare-IP destination::192.0.2.7 port 22/tcp"), std::string::npos) << out;
  EXPECT_NE(out.find("%0Ahint: "), std::string::npos) << "hints ride on an escaped newline";
  for (auto line_end = out.find('\n'); line_end != std::string::npos; line_end = out.find('\n', line_end + 1))
    EXPECT_TRUE(line_end + 1 == out.size() || out.compare(line_end + 1, 2, "::") == 0) << "one command a line";
}

TEST(CheckOutput, GithubWithoutPolicyFileOmitsFile) {
  auto r = sample();
  r.policy_path.clear();
  for (auto& f : r.findings) f.where = {};
  std::string out = report::format_check_github(r);
  EXPECT_EQ(out.find("file="), std::string::npos) << out;
  EXPECT_NE(out.find("::error title=netmap%3A"), std::string::npos) << out;
}

TEST(CheckOutput, JsonHasSummaryFindingsAndDomains) {
  auto j = nlohmann::json::parse(report::format_check_json(sample(), Severity::Error));
  EXPECT_EQ(j["policy"], "ci/netmap.yaml");
  EXPECT_TRUE(j["target"].is_null());
  EXPECT_EQ(j["failed"], true);
  EXPECT_EQ(j["summary"]["errors"], 2);
  EXPECT_EQ(j["summary"]["warnings"], 1);
  EXPECT_EQ(j["summary"]["domains"], 4);
  EXPECT_EQ(j["summary"]["ignored"], 1);
  EXPECT_EQ(j["summary"]["bare_ip"], 1);
  auto denied = std::find_if(j["findings"].begin(), j["findings"].end(), [](const auto& f) { return f["code"] == "denied"; });
  ASSERT_NE(denied, j["findings"].end());
  EXPECT_EQ((*denied)["location"]["file"], "ci/netmap.yaml");
  EXPECT_EQ((*denied)["location"]["line"], 2);
  EXPECT_EQ((*denied)["domain"], "evil.example.com");
  EXPECT_EQ(j["domains"].size(), 4u);
}

TEST(CheckOutput, TextIsGroupedWithASummary) {
  std::string out = report::format_check_text(sample(), Severity::Error, false);
  auto errors = out.find("Errors (2)");
  auto warnings = out.find("Warnings (1)");
  ASSERT_NE(errors, std::string::npos) << out;
  ASSERT_NE(warnings, std::string::npos) << out;
  EXPECT_LT(errors, warnings);
  EXPECT_NE(out.find("  ci/netmap.yaml:2:8: error: denied domain contacted: evil.example.com"), std::string::npos) << out;
  EXPECT_NE(out.find("netmap check: 2 errors, 1 warning, 0 notices; 4 domains contacted (1 allowed, 1 ignored, 2 blocked), "
                     "1 bare-IP destination: FAIL (--fail-on error)"), std::string::npos) << out;
  EXPECT_EQ(out.find('\x1b'), std::string::npos);
  EXPECT_NE(report::format_check_text(sample(), Severity::Error, true).find("\x1b[31merror\x1b[0m"), std::string::npos);
}

TEST(CheckOutput, JunitFailuresFollowFailOn) {
  std::string err = report::format_check_junit(sample(), Severity::Error);
  EXPECT_EQ(err.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"netmap check\" tests=\"5\" failures=\"2\"", 0), 0u) << err;
  EXPECT_NE(err.find("<testcase classname=\"netmap.domains\" name=\"api.example.com\"/>"), std::string::npos) << err;
  EXPECT_NE(err.find("<failure type=\"denied\""), std::string::npos) << err;
  EXPECT_NE(err.find("<skipped message=\"ignored by rule local.test (ci/netmap.yaml:3:10)\"/>"), std::string::npos) << err;
  EXPECT_NE(err.find("<system-out>warning: 192.0.2.7 port 22/tcp"), std::string::npos) << "a warning below --fail-on is output, not failure";
  std::string warn = report::format_check_junit(sample(), Severity::Warning);
  EXPECT_NE(warn.find("failures=\"3\""), std::string::npos) << warn;
}

TEST(CheckOutput, XmlEscape) {
  EXPECT_EQ(report::xml_escape("a<b>&\"c'\x01\xff"), "a&lt;b&gt;&amp;&quot;c&apos;??");
}
