#include "netmap/base/atomic_file.hpp"

#include "netmap/base/error.hpp"
#include "unit/scratch_dir_helpers.hpp"
#include "unit/user_error_helpers.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

using namespace netmap::base;

using netmap::test::user_error_of;

TEST(AtomicFile, RequireWritableTriesTheTemporaryAndLeavesNothing) {
  netmap::test::ScratchDir s;
  ASSERT_FALSE(s.path.empty());
  EXPECT_NO_THROW(require_writable(s.path + "/out.json"));
  EXPECT_TRUE(std::filesystem::is_empty(s.path)) << "the trial temporary is removed";
  EXPECT_NO_THROW(require_writable("-"));
  EXPECT_NO_THROW(require_writable(""));
  EXPECT_EQ(user_error_of([&] { require_writable(s.path + "/missing/out.json"); }),
            "cannot write " + s.path + "/missing/out.json: No such file or directory");
  EXPECT_EQ(user_error_of([&] { require_writable(s.path); }), "cannot write " + s.path + ": it is a directory");
  if (::geteuid() != 0) { // root writes through a read-only mode
    ::chmod(s.path.c_str(), 0500);
    EXPECT_NE(user_error_of([&] { require_writable(s.path + "/out.json"); }).find("Permission denied"), std::string::npos);
    ::chmod(s.path.c_str(), 0700);
  }
}

TEST(AtomicFile, ReadFileIsBounded) {
  netmap::test::ScratchDir s;
  std::string f = s.path + "/policy.yaml";
  std::ofstream(f) << std::string(4096, 'a');
  EXPECT_EQ(read_file(f, 4096).size(), 4096u);
  EXPECT_EQ(user_error_of([&] { (void)read_file(f, 4095); }), "cannot read " + f + ": larger than 4095 bytes")
      << "a file's size is checked before it is read";
  EXPECT_EQ(read_file("/dev/null", 1 << 20), "") << "a device is read up to the bound";
  EXPECT_EQ(user_error_of([&] { (void)read_file("/dev/zero", 1 << 20); }), "cannot read /dev/zero: larger than 1 MiB")
      << "and never past it";
}
