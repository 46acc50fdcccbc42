#include "netmap/base/sched_slice.hpp"

#include <gtest/gtest.h>

#include <sched.h>

#include <thread>

using namespace netmap;

// Each case runs in a thread of its own: a slice or policy belongs to the thread that set it.

TEST(SchedSlice, AServerThreadGetsTheShortSlice) {
  bool took = false;
  std::uint64_t before = 0, after = 0;
  std::thread([&] {
    before = base::thread_slice_ns();
    took = base::request_slice();
    after = base::thread_slice_ns();
  }).join();
  if (!took) {
    EXPECT_EQ(after, before); // nothing changed where the kernel does not take it
    GTEST_SKIP() << "this kernel keeps no slice per thread (Linux 6.12+ does)";
  }
  EXPECT_EQ(after, base::k_short_slice_ns);
  EXPECT_NE(before, after); // the default is 0.75 ms or more
  EXPECT_NE(base::thread_slice_ns(), base::k_short_slice_ns); // the test's own thread is untouched
}

TEST(SchedSlice, LeavesAThreadOutsideSchedOtherAlone) {
  bool took = true;
  int policy = -1;
  std::thread([&] {
    sched_param p{};
    ASSERT_EQ(sched_setscheduler(0, SCHED_BATCH, &p), 0); // needs no privilege
    took = base::request_slice();
    policy = sched_getscheduler(0);
  }).join();
  EXPECT_FALSE(took);
  EXPECT_EQ(policy, SCHED_BATCH);
}
