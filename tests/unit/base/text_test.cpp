#include "netmap/base/text.hpp"

#include <gtest/gtest.h>

using namespace netmap::base;

TEST(Text, EscapesControlAndNonAscii) {
  EXPECT_EQ(escape_bytes(std::string_view("a\x1b[31m\"\\\xff b", 11)), "a\\027[31m\\\"\\\\\\255\\032b");
}

TEST(Text, PrintableKeepsSpacesAndUtf8AndEscapesTheRest) {
  EXPECT_EQ(printable("Suite \xE2\x80\xBA fetches the registry"), "Suite \xE2\x80\xBA fetches the registry") << "jest's separator";
  EXPECT_EQ(printable("caf\xC3\xA9 \xF0\x9F\x93\xA6"), "caf\xC3\xA9 \xF0\x9F\x93\xA6");
  EXPECT_EQ(printable("a\x1b[31mb\\c\td"), "a\\027[31mb\\\\c\\009d") << "controls and the backslash";
  EXPECT_EQ(printable("x\xE2\x80\xAEy"), "x\\226\\128\\174y") << "a bidi override stays visible";
  EXPECT_EQ(printable("\xC2\x9B"), "\\194\\155") << "a C1 control (CSI)";
  EXPECT_EQ(printable("\xC0\xAF\xED\xA0\x80\xFF"), "\\192\\175\\237\\160\\128\\255") << "overlong, surrogate, invalid";
  EXPECT_EQ(printable("\xE2\x80"), "\\226\\128") << "cut short";
  EXPECT_EQ(printable("abcdef", 3), "abc…");
  EXPECT_EQ(printable("ab\xC3\xA9", 3), "ab…") << "never half a character";
  EXPECT_EQ(printable("abc", 3), "abc");
}

TEST(Text, CommandTextQuotesLikeAShell) {
  std::vector<std::string> argv{"sh", "-c", "echo \"a b\" >/dev/null; echo 'x'", "npm", "run", "test:unit", ""};
  EXPECT_EQ(command_text(argv), "sh -c 'echo \"a b\" >/dev/null; echo '\\''x'\\''' npm run test:unit ''");
  EXPECT_EQ(command_text(std::vector<std::string>{"printf", "\x1b]0;pwned\x07"}), "printf '\\027]0;pwned\\007'");
  EXPECT_EQ(command_text(std::vector<std::string>{"echo", "a\\b"}), "echo 'a\\\\b'") << "escaped once";
  EXPECT_EQ(command_text(std::vector<std::string>{"echo", "caf\xC3\xA9", "more"}, 10), "echo 'caf…") << "never half a character";
}

TEST(Text, DidYouMean) {
  EXPECT_EQ(closest("alow", {"allow", "deny", "mock"}), "allow");
  EXPECT_EQ(closest("zzzzzz", {"allow", "deny"}), "");
}

TEST(Text, SplitAndTrim) {
  EXPECT_EQ(split("a,,b c", ", ").size(), 3u);
  EXPECT_EQ(trim("  x \t"), "x");
}

TEST(Text, Utf8BoundariesNeverSplitACharacter) {
  const std::string s = "a\xC3\xBC" "b\xE2\x82\xAC"; // a ü b €
  EXPECT_EQ(utf8_floor(s, 0), 0u);
  EXPECT_EQ(utf8_floor(s, 2), 1u); // inside ü
  EXPECT_EQ(utf8_ceil(s, 2), 3u);
  EXPECT_EQ(utf8_floor(s, 6), 4u); // inside €
  EXPECT_EQ(utf8_ceil(s, 5), s.size());
  EXPECT_EQ(utf8_floor(s, 99), s.size());
  EXPECT_EQ(utf8_ceil(s, 99), s.size());
  EXPECT_EQ(utf8_floor("\x80\x80", 1), 0u); // stray continuation bytes: back to the start
}
