#pragma once
// The verdict of a decoder looking at the first bytes of a stream that may still be growing.

#include <cstdint>

namespace netmap::dissect {

/// What a decoder concluded about the bytes it was given so far.
enum class Scan : std::uint8_t {
  NeedMore,  ///< consistent so far, the answer lies further on
  Found,     ///< decoded; the result is filled in
  NotThis,   ///< not this protocol (no drop: the flow is simply something else)
  Malformed, ///< this protocol, but broken (the caller counts a drop)
};

} // namespace netmap::dissect
