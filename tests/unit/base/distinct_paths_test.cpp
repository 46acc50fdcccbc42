#include "netmap/base/distinct_paths.hpp"

#include "netmap/base/error.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

using namespace netmap::base;

namespace {

std::string message_of(std::vector<PathUse> in, std::vector<PathUse> out) {
  try {
    require_distinct(in, out);
  } catch (const UserError& e) {
    return e.message();
  }
  return {};
}

} // namespace

TEST(DistinctPaths, AnOutputOnAnInputOrAnotherOutputIsRefused) {
  auto dir = std::filesystem::temp_directory_path() / ("netmap-distinct-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string cap = (dir / "x.pcap").string();
  std::ofstream(cap) << "data";
  std::filesystem::create_symlink(cap, dir / "link.pcap");

  EXPECT_EQ(message_of({{cap, "-r"}}, {{cap, "--output"}}), "--output " + cap + " is the file read as -r");
  // A symlink, or another spelling of the same file, is the same file.
  EXPECT_NE(message_of({{cap, "-r"}}, {{(dir / "link.pcap").string(), "--output"}}), "");
  EXPECT_NE(message_of({{cap, "-r"}}, {{(dir / "." / "x.pcap").string(), "--output"}}), "");
  // Two outputs not yet written, spelled differently.
  const std::string a = (dir / "a.json").string();
  EXPECT_EQ(message_of({}, {{a, "--output"}, {(dir / "." / "a.json").string(), "--events"}}),
            "--events " + (dir / "." / "a.json").string() + " is the file also written by --output (" + a + ")");
  // Standard streams, unused flags and character devices never clash.
  EXPECT_EQ(message_of({{"-", "-r"}}, {{"-", "--output"}, {"", "--events"}}), "");
  EXPECT_EQ(message_of({}, {{"/dev/null", "--output"}, {"/dev/null", "--events"}}), "");
  EXPECT_EQ(message_of({{cap, "-r"}}, {{a, "--output"}}), "");
  std::filesystem::remove_all(dir);
}
