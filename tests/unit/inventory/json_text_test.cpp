#include "netmap/inventory/json_text.hpp"

#include <gtest/gtest.h>

using netmap::inventory::parse_json;

// nlohmann keeps the last of two equal keys silently; the reader must hear of it (audit 12).
TEST(JsonText, NamesAKeyGivenTwiceInOneObject) {
  std::string dup;
  auto j = parse_json(R"({"a":1,"b":{"c":1,"c":2},"d":[{"e":1},{"e":2}]})", dup);
  EXPECT_EQ(dup, "c");
  EXPECT_EQ(j["d"].size(), 2U);
  (void)parse_json(R"({"domains":[],"x":{"domains":1},"domains":[]})", dup);
  EXPECT_EQ(dup, "domains");
}

TEST(JsonText, EqualKeysInDifferentObjectsAreFine) {
  std::string dup = "stale";
  auto j = parse_json(R"({"a":{"k":1},"b":{"k":2},"c":[{"k":1},{"k":2}],"k":3})", dup);
  EXPECT_TRUE(dup.empty());
  EXPECT_EQ(j["k"], 3);
  // Many keys in one object: the set switches to hashing and still finds the repeat.
  std::string big = "{";
  for (int i = 0; i < 100; ++i) big += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  (void)parse_json(big + "\"k99\":0}", dup);
  EXPECT_EQ(dup, "k99");
}

TEST(JsonText, SyntaxErrorsStillThrow) {
  std::string dup;
  EXPECT_THROW((void)parse_json("{\"a\":", dup), nlohmann::json::parse_error);
}
