#include "netmap/proxy/worker.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

using netmap::proxy::detail::Buffer;

namespace {
void put(Buffer& b, const std::string& s) {
  ASSERT_LE(s.size(), b.space());
  std::memcpy(b.write_ptr(), s.data(), s.size());
  b.produced(s.size());
}
std::string str(const Buffer& b) { return std::string(b.data(), b.size()); }
} // namespace

TEST(RelayBuffer, SpaceIsContiguousAfterPartialConsume) {
  Buffer b;
  b.set_capacity(16);
  put(b, "0123456789");
  b.consume(5);                // a partial send
  EXPECT_EQ(b.space(), 11u);   // the freed front counts…
  put(b, "abcdefghijk");       // …and a read may fill all of it without running past the end
  EXPECT_EQ(str(b), "56789abcdefghijk");
  EXPECT_EQ(b.space(), 0u);
  b.consume(16);
  EXPECT_EQ(b.size(), 0u);
  EXPECT_EQ(b.space(), 16u);
}
