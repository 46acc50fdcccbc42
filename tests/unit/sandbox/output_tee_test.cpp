#include "netmap/sandbox/output_tee.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include <fcntl.h>
#include <string>
#include <unistd.h>
#include <vector>

using namespace netmap::sandbox;

TEST(OutputTee, CopiesEveryByteAndSplitsLinesAcrossStreams) {
  int a[2], b[2], sink[2];
  ASSERT_EQ(::pipe(a), 0);
  ASSERT_EQ(::pipe(b), 0);
  ASSERT_EQ(::pipe2(sink, O_NONBLOCK), 0);
  std::vector<std::string> lines;
  std::vector<TeeStream> streams;
  streams.push_back({netmap::base::Fd(a[0]), sink[1]});
  streams.push_back({netmap::base::Fd(b[0]), -1});
  OutputTee tee(std::move(streams), [&](std::string_view l, std::int64_t) { lines.emplace_back(l); }, 16);
  ASSERT_EQ(::write(a[1], "one\ntw", 6), 6);
  ASSERT_EQ(::write(b[1], "err line\n", 9), 9);
  ASSERT_EQ(::write(a[1], "o\nthis line is longer than sixteen\nlast", 39), 39);
  ::close(a[1]);
  ::close(b[1]);
  EXPECT_TRUE(tee.finish(5000));
  EXPECT_EQ(tee.bytes(), 54u);
  char buf[128];
  ssize_t n = ::read(sink[0], buf, sizeof buf);
  EXPECT_EQ(std::string(buf, static_cast<std::size_t>(n)), "one\ntwo\nthis line is longer than sixteen\nlast");
  ::close(sink[0]);
  ::close(sink[1]);
  // Streams interleave in whatever order their bytes arrive; within a stream, lines keep order.
  std::vector<std::string> a_lines;
  for (const auto& l : lines)
    if (l != "err line") a_lines.push_back(l);
  EXPECT_EQ(a_lines, (std::vector<std::string>{"one", "two", "this line is lon", "ger than sixteen", "last"}));
  EXPECT_EQ(lines.size(), 6u);
}

TEST(OutputTee, FinishReturnsWhenAWriterNeverCloses) {
  int a[2];
  ASSERT_EQ(::pipe(a), 0);
  std::vector<TeeStream> streams;
  streams.push_back({netmap::base::Fd(a[0]), -1});
  std::vector<std::string> lines;
  OutputTee tee(std::move(streams), [&](std::string_view l, std::int64_t) { lines.emplace_back(l); });
  ASSERT_EQ(::write(a[1], "partial", 7), 7);
  EXPECT_FALSE(tee.finish(100));
  ::close(a[1]);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "partial");
}
