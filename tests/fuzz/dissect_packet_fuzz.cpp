// Whole frames through the dissector: the first byte picks the link type, the rest is the frame.
// One dissector lives across inputs (small limits) so flow state, eviction and reassembly are
// exercised too.

#include "netmap/dissect/dissector.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace netmap::dissect;
  static const std::array<LinkType, 7> links{LinkType::Ethernet, LinkType::LinuxSll,
                                             LinkType::LinuxSll2, LinkType::Raw, LinkType::Null,
                                             LinkType::Loop, static_cast<LinkType>(12)};
  static Dissector dissector([] {
    Limits l;
    l.max_flows = 64;
    l.max_flow_bytes = 4096;
    l.max_buffered_bytes = 1 << 16;
    l.flow_idle_us = 1000;
    l.mdns_llmnr = true;
    return l;
  }());
  static std::int64_t now = 0;
  if (size == 0) return 0;
  std::vector<Observation> out;
  dissector.packet(links[data[0] % links.size()], {data + 1, size - 1}, now += 7, out);
  return 0;
}
