#include "netmap/base/output_file.hpp"

#include "netmap/base/atomic_file.hpp"
#include "netmap/base/error.hpp"
#include "unit/scratch_dir_helpers.hpp"
#include "unit/user_error_helpers.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

using namespace netmap::base;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

mode_t type_of(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 ? (st.st_mode & S_IFMT) : 0;
}

std::string error_of(const std::string& path, const std::string& content) {
  return netmap::test::user_error_of([&] { write_file_atomic(path, content); });
}

} // namespace

TEST(OutputFile, ARegularFileIsReplacedWholeKeepingItsMode) {
  netmap::test::ScratchDir s;
  const std::string f = s.file("out.json");
  std::ofstream(f) << "old";
  ASSERT_EQ(::chmod(f.c_str(), 0640), 0);
  {
    OutputFile out(f);
    EXPECT_FALSE(out.in_place());
    EXPECT_NE(out.write_path(), f) << "a temporary beside it";
    std::ofstream(out.write_path()) << "half";
    EXPECT_EQ(slurp(f), "old") << "nothing reaches the file before commit()";
  }
  EXPECT_EQ(slurp(f), "old") << "an uncommitted write leaves the old file";
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(s.path), {}), 1) << "and no temporary";
  write_file_atomic(f, "new");
  EXPECT_EQ(slurp(f), "new");
  struct stat st {};
  ASSERT_EQ(::stat(f.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u) << "a 0640 file stays 0640";
}

TEST(OutputFile, ALinkStaysALinkAndItsFileGetsTheText) {
  netmap::test::ScratchDir s;
  std::ofstream(s.file("real.yaml")) << "old";
  ASSERT_EQ(::symlink("real.yaml", s.file("link.yaml").c_str()), 0);
  write_file_atomic(s.file("link.yaml"), "new");
  EXPECT_EQ(type_of(s.file("link.yaml")), static_cast<mode_t>(S_IFLNK));
  EXPECT_EQ(slurp(s.file("real.yaml")), "new");
  ASSERT_EQ(::symlink("missing.yaml", s.file("dangling.yaml").c_str()), 0);
  EXPECT_EQ(error_of(s.file("dangling.yaml"), "x"),
            "cannot write " + s.file("dangling.yaml") + ": it is a symbolic link to a missing file");
}

// The bug this guards: renaming a temporary over /dev/null (as root) put a plain file there.
TEST(OutputFile, DevicesAreWrittenInPlaceNeverReplaced) {
  OutputFile null("/dev/null");
  EXPECT_TRUE(null.in_place());
  EXPECT_EQ(null.write_path(), "/dev/null");
  null.commit();
  EXPECT_EQ(error_of("/dev/null", "discarded"), "(no error)");
  EXPECT_EQ(type_of("/dev/null"), static_cast<mode_t>(S_IFCHR)) << "still the device";
  EXPECT_FALSE(std::filesystem::exists("/dev/null.tmp." + std::to_string(::getpid())));
  EXPECT_NO_THROW(require_writable("/dev/null"));
  if (type_of("/dev/full") == S_IFCHR) {
    EXPECT_EQ(error_of("/dev/full", "x"), "cannot write /dev/full: No space left on device") << "a full disk is an error";
    EXPECT_EQ(type_of("/dev/full"), static_cast<mode_t>(S_IFCHR));
  }
}

TEST(OutputFile, AFifoIsStreamedToItsReader) {
  netmap::test::ScratchDir s;
  const std::string fifo = s.file("events");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string got;
  std::thread reader([&] { got = slurp(fifo); });
  write_file_atomic(fifo, "line\n");
  reader.join();
  EXPECT_EQ(got, "line\n");
  EXPECT_EQ(type_of(fifo), static_cast<mode_t>(S_IFIFO)) << "still a FIFO";
}

// /dev/stdout redirected by the shell with `>> log`: the log is appended to, not truncated or replaced.
TEST(OutputFile, AnOpenFileBehindProcIsAppendedTo) {
  netmap::test::ScratchDir s;
  const std::string log = s.file("log");
  std::ofstream(log) << "before\n";
  int fd = ::open(log.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  struct stat before {};
  ASSERT_EQ(::stat(log.c_str(), &before), 0);
  const std::string via = "/proc/self/fd/" + std::to_string(fd);
  EXPECT_TRUE(OutputFile(via).in_place());
  write_file_atomic(via, "after\n");
  ::close(fd);
  EXPECT_EQ(slurp(log), "before\nafter\n");
  struct stat after {};
  ASSERT_EQ(::stat(log.c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino) << "the same file, not a renamed one";
}

TEST(OutputFile, ADirectoryOrAMissingOneIsRefusedUpFront) {
  netmap::test::ScratchDir s;
  auto message = [](const std::string& path) { return netmap::test::user_error_of([&] { OutputFile out(path); }); };
  EXPECT_EQ(message(s.path), "cannot write " + s.path + ": it is a directory");
  EXPECT_EQ(message(s.file("missing/out.json")), "cannot write " + s.file("missing/out.json") + ": No such file or directory");
  EXPECT_EQ(message("/dev/fd/987654"), "cannot write /dev/fd/987654: No such file or directory")
      << "a closed descriptor is not created as a file";
}
