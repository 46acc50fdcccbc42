#include "netmap/sandbox/child_process.hpp"

#include "netmap/base/error.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include <string>
#include <unistd.h>

using netmap::sandbox::ChildProcess;
using netmap::sandbox::ChildSpec;

namespace {

bool alive(pid_t pid) { return ::kill(pid, 0) == 0; }

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

} // namespace

TEST(ChildProcess, ExitCodeComesBack) {
  ChildSpec spec;
  spec.argv = {"sh", "-c", "exit 7"};
  auto c = ChildProcess::spawn(spec);
  auto st = c.wait();
  EXPECT_EQ(st.code, 7);
  EXPECT_EQ(st.signal, 0);
  EXPECT_FALSE(c.running());
}

TEST(ChildProcess, WaitForReturnsWhenTheChildExitsNotAtTheTimeout) {
  // sandbox-dns waits for its command this way: its exit must end the wait at once.
  using clock = std::chrono::steady_clock;
  ChildSpec spec;
  spec.argv = {"sh", "-c", "sleep 0.1; exit 4"};
  auto c = ChildProcess::spawn(spec);
  auto t0 = clock::now();
  std::optional<netmap::sandbox::ExitStatus> st;
  while (!st && clock::now() - t0 < std::chrono::seconds(20)) st = c.wait_for(10'000);
  auto waited = clock::now() - t0;
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(st->code, 4);
  EXPECT_LT(waited, std::chrono::seconds(5)); // not the 10 s timeout
  EXPECT_EQ(c.wait_for(10'000)->code, 4);     // reaped: returns at once, same status

  spec.argv = {"sleep", "30"};
  auto running = ChildProcess::spawn(spec);
  t0 = clock::now();
  EXPECT_FALSE(running.wait_for(50).has_value());
  EXPECT_GE(clock::now() - t0, std::chrono::milliseconds(40));
  EXPECT_EQ(running.terminate().signal, SIGTERM);
}

TEST(ChildProcess, KilledBySignalIs128PlusSignal) {
  ChildSpec spec;
  spec.argv = {"sh", "-c", "kill -TERM $$; sleep 5"};
  auto st = ChildProcess::spawn(spec).wait();
  EXPECT_EQ(st.signal, SIGTERM);
  EXPECT_EQ(st.code, 128 + SIGTERM);
}

TEST(ChildProcess, MissingCommandThrowsNamingIt) {
  ChildSpec spec;
  spec.argv = {"netmap-no-such-command-xyz"};
  try {
    (void)ChildProcess::spawn(spec);
    FAIL() << "expected UserError";
  } catch (const netmap::base::UserError& e) {
    EXPECT_NE(std::string(e.what()).find("netmap-no-such-command-xyz"), std::string::npos);
  }
}

TEST(ChildProcess, PreExecHookFailureIsReported) {
  ChildSpec spec;
  spec.argv = {"true"};
  spec.pre_exec = [] { return std::string("fence failed: because"); };
  try {
    (void)ChildProcess::spawn(spec);
    FAIL() << "expected UserError";
  } catch (const netmap::base::UserError& e) {
    EXPECT_NE(std::string(e.what()).find("fence failed: because"), std::string::npos) << e.what();
  }
}

TEST(ChildProcess, RunsInItsOwnProcessGroupWithEnv) {
  char tmpl[] = "/tmp/netmap-child-XXXXXX";
  int fd = ::mkstemp(tmpl);
  ASSERT_GE(fd, 0);
  ChildSpec spec;
  spec.argv = {"sh", "-c", "echo \"$NETMAP_T $(ps -o pgid= -p $$)\""};
  spec.env = std::vector<std::string>{"NETMAP_T=hello", "PATH=/usr/bin:/bin"};
  spec.stdio[1] = fd;
  auto c = ChildProcess::spawn(spec);
  pid_t pid = c.pid();
  EXPECT_EQ(c.wait().code, 0);
  ::close(fd);
  std::string out = slurp(tmpl);
  ::unlink(tmpl);
  EXPECT_NE(out.find("hello"), std::string::npos);
  EXPECT_NE(out.find(std::to_string(pid)), std::string::npos) << out;
  EXPECT_NE(::getpgrp(), pid);
}

TEST(ChildProcess, ForwardedSignalReachesTheWholeGroupAndNothingOutlivesIt) {
  char tmpl[] = "/tmp/netmap-child-XXXXXX";
  int fd = ::mkstemp(tmpl);
  ASSERT_GE(fd, 0);
  ChildSpec spec;
  // A grandchild that ignores nothing and a parent that waits for it; we record the grandchild.
  spec.argv = {"sh", "-c", "sleep 30 & echo $! ; wait"};
  spec.stdio[1] = fd;
  auto c = ChildProcess::spawn(spec);
  std::string out;
  for (int i = 0; i < 200 && out.empty(); ++i) {
    ::usleep(10000);
    out = slurp(tmpl);
  }
  ::close(fd);
  ::unlink(tmpl);
  ASSERT_FALSE(out.empty());
  pid_t grandchild = static_cast<pid_t>(std::stol(out));
  // The handler forwards what netmap receives to the group.
  ::raise(SIGTERM);
  auto st = c.wait();
  EXPECT_EQ(ChildProcess::last_forwarded_signal(), SIGTERM);
  EXPECT_EQ(st.code, 128 + SIGTERM);
  // The grandchild was in the group: it got the signal (or the final SIGKILL) and is gone.
  for (int i = 0; i < 100 && alive(grandchild); ++i) ::usleep(10000);
  // It may linger as a zombie of init for a moment; a zombie cannot run anything.
  std::string stat = slurp("/proc/" + std::to_string(grandchild) + "/stat");
  EXPECT_TRUE(stat.empty() || stat.find(") Z") != std::string::npos) << stat;
}

TEST(ChildProcess, DestructorKillsARunningGroup) {
  pid_t pid = -1;
  {
    ChildSpec spec;
    spec.argv = {"sleep", "30"};
    auto c = ChildProcess::spawn(spec);
    pid = c.pid();
    EXPECT_TRUE(alive(pid));
  }
  EXPECT_FALSE(alive(pid));
}
