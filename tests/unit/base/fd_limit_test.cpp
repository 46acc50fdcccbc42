#include "netmap/base/fd_limit.hpp"

#include <gtest/gtest.h>

#include <sys/resource.h>

#include <cerrno>

TEST(FdLimit, RaisesTheSoftLimitAndPutsTheOldOneBack) {
  rlimit before{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &before), 0);
  rlimit lowered = before;
  lowered.rlim_cur = 256; // as a desktop session might have it
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &lowered), 0);
  netmap::base::raise_fd_limit();
  rlimit raised{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &raised), 0);
  EXPECT_GT(raised.rlim_cur, 256u);
  EXPECT_EQ(raised.rlim_max, before.rlim_max); // the hard limit is not ours to change
  netmap::base::restore_fd_limit();
  rlimit back{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &back), 0);
  EXPECT_EQ(back.rlim_cur, 256u);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &before), 0);
}

TEST(FdLimit, AcceptIsStarvedOnlyForWantOfFdsOrMemory) {
  for (int e : {EMFILE, ENFILE, ENOBUFS, ENOMEM}) EXPECT_TRUE(netmap::base::accept_starved(e)) << e;
  // A peer that gave up, or no connection at all: accept again at the next wake-up.
  for (int e : {EAGAIN, ECONNABORTED, EINTR, EPROTO}) EXPECT_FALSE(netmap::base::accept_starved(e)) << e;
}
