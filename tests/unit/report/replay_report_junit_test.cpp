#include "netmap/report/replay_report_junit.hpp"
#include "unit/scratch_dir_helpers.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <string>

using namespace netmap::report;

namespace {

JUnitResult parse(const std::string& xml) {
  JUnitResult r;
  parse_junit(xml, "r.xml", r);
  return r;
}

} // namespace

TEST(JUnitReader, ReadsPytestStyleReport) {
  auto r = parse(R"(<?xml version="1.0" encoding="utf-8"?>
<!-- written by pytest -->
<testsuites><testsuite name="pytest" errors="1" failures="1" skipped="1" tests="4">
<testcase classname="tests.test_net" name="test_ok" time="0.01"/>
<testcase classname="tests.test_net" name="test_fetch" time="0.2"><failure message="URLError: &lt;urlopen error Tunnel connection failed: 403 Forbidden&gt;">Traceback…
  https://blocked.example/data &amp; more</failure><system-out><![CDATA[fetching <https://blocked.example/data>]]></system-out></testcase>
<testcase classname="tests.test_net" name="test_dns"><error message="boom" type="socket.gaierror">[Errno -2] Name or service not known: 'x.example'</error></testcase>
<testcase classname="tests.test_net" name="test_skip"><skipped message="no"/></testcase>
</testsuite></testsuites>)");
  EXPECT_EQ(r.tests, 4u);
  EXPECT_EQ(r.failures, 1u);
  EXPECT_EQ(r.errors, 1u);
  EXPECT_EQ(r.skipped, 1u);
  EXPECT_TRUE(r.problems.empty()) << r.problems.front();
  ASSERT_EQ(r.failed.size(), 2u);
  EXPECT_EQ(r.failed[0].name, "tests.test_net.test_fetch");
  EXPECT_EQ(r.failed[0].suite, "pytest");
  EXPECT_FALSE(r.failed[0].error);
  EXPECT_EQ(r.failed[0].message, "URLError: <urlopen error Tunnel connection failed: 403 Forbidden>");
  EXPECT_NE(r.failed[0].text.find("https://blocked.example/data & more"), std::string::npos) << r.failed[0].text;
  EXPECT_NE(r.failed[0].text.find("fetching <https://blocked.example/data>"), std::string::npos);
  EXPECT_TRUE(r.failed[1].error);
  EXPECT_NE(r.failed[1].text.find("'x.example'"), std::string::npos);
}

TEST(JUnitReader, TruncatedReportKeepsWhatItRead) {
  auto r = parse("<testsuite name=\"s\"><testcase name=\"a\"><failure message=\"m\">curl: (6) Could not resolve host: a.example\n");
  ASSERT_EQ(r.failed.size(), 1u);
  EXPECT_EQ(r.failed[0].name, "a");
  EXPECT_FALSE(r.problems.empty());
  EXPECT_NE(r.problems[0].find("r.xml:"), std::string::npos);
}

TEST(JUnitReader, EntitiesNeverExpandFromADtd) {
  std::string laughs = "<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]>"
                       "<testsuite><testcase name=\"&lol2;&#x41;&#66;&#0;&#x110000;&bogus\"><failure/></testcase></testsuite>";
  auto r = parse(laughs);
  ASSERT_EQ(r.failed.size(), 1u);
  EXPECT_EQ(r.failed[0].name, "&lol2;AB&#0;&#x110000;&bogus");
}

TEST(JUnitReader, HostileInputNeverCrashes) {
  // Deep nesting, unterminated everything, stray end tags, NULs, and random bytes.
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "<a>";
  auto r = parse(deep);
  EXPECT_FALSE(r.problems.empty());
  for (const char* s : {"<", "<!--", "<![CDATA[", "<?", "<!DOCTYPE [", "</", "<a b=\"", "<a b=", "</x></y>",
                        "<testcase name='x'/><testcase", "&&&&;", "<testcase\0name=\"a\">", "<<<>>>///"}) {
    (void)parse(s);
  }
  std::mt19937 rng(7);
  const std::string alphabet = "<>/!?[]-=\"' &#;xtestcasfilurobm\n\0";
  for (int round = 0; round < 2000; ++round) {
    std::string s;
    std::size_t n = rng() % 300;
    for (std::size_t i = 0; i < n; ++i) s += alphabet[rng() % alphabet.size()];
    (void)parse(s);
  }
  std::string big_attr = "<testsuite><testcase name=\"" + std::string(10'000'000, 'x') + "\"><failure/></testcase></testsuite>";
  auto b = parse(big_attr);
  ASSERT_EQ(b.failed.size(), 1u);
  EXPECT_LE(b.failed[0].name.size(), 2048u);
}

TEST(JUnitReader, ReadsGlobsAndReportsMissingFiles) {
  netmap::test::ScratchDir dir;
  ASSERT_FALSE(dir.path.empty());
  const std::string& d = dir.path;
  std::ofstream(d + "/a.xml") << "<testsuite><testcase name=\"t1\"><failure/></testcase></testsuite>";
  std::ofstream(d + "/b.xml") << "<testsuite><testcase name=\"t2\"/></testsuite>";
  auto r = read_junit({d + "/*.xml", d + "/none-*.xml"});
  EXPECT_EQ(r.files.size(), 2u);
  EXPECT_EQ(r.tests, 2u);
  ASSERT_EQ(r.failed.size(), 1u);
  EXPECT_EQ(r.failed[0].file, d + "/a.xml");
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_NE(r.problems[0].find("no JUnit report matches"), std::string::npos);
  // A report name is the suite's to choose: it reaches the report escaped.
  std::string hostile = d + "/\x1b]0;pwned\x07.xml";
  std::ofstream(hostile) << "<testsuite><testcase name=\"t3\"><failure/></testcase>";
  auto h = read_junit({hostile});
  ASSERT_EQ(h.files.size(), 1u);
  EXPECT_EQ(h.files[0], d + "/\\027]0;pwned\\007.xml");
  ASSERT_FALSE(h.problems.empty()) << "the unterminated suite";
  EXPECT_EQ(h.problems[0].find('\x1b'), std::string::npos) << h.problems[0];
}

TEST(JUnitReader, AFileWithNoTestElementIsNotAReport) {
  for (const char* text : {"", "root:x:0:0:root:/root:/bin/bash\n", "<?xml version=\"1.0\"?><html><body/></html>"}) {
    auto r = parse(text);
    ASSERT_EQ(r.problems.size(), 1u) << text;
    EXPECT_EQ(r.problems[0], "r.xml: no <testsuites>, <testsuite> or <testcase> in it: not a JUnit report");
  }
  EXPECT_TRUE(parse("<testsuites/>").problems.empty()) << "a run with no tests is a report";
  EXPECT_TRUE(parse("<testsuite name=\"s\" tests=\"0\"></testsuite>").problems.empty());
  EXPECT_EQ(parse("<html><p></html>").problems.size(), 1u) << "one problem for a broken file, not two";
}
