// A whole discover run over fuzzed traffic: frames through capture::Session (dissector, DNS answer
// attribution, the address map, the domain table) with small limits so eviction happens, then
// the inventory and every event as discover writes them, read back. Nothing may crash, and what
// netmap writes it must read back unchanged.
//
// Input: records of [link:1][time step µs:2, little-endian][length:2, little-endian][frame], as
// many as fit; a short tail is ignored.

#include "netmap/base/error.hpp"
#include "netmap/capture/session.hpp"
#include "netmap/inventory/event.hpp"
#include "netmap/inventory/inventory.hpp"
#include "netmap/policy/rule.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

const netmap::policy::Matcher& matcher() {
  static const netmap::policy::Matcher m = [] {
    netmap::policy::Matcher x;
    if (auto r = netmap::policy::parse_rule("**.example.com")) x.add(r.value());
    return x;
  }();
  return m;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace netmap;
  static const std::array<dissect::LinkType, 6> links{dissect::LinkType::Ethernet, dissect::LinkType::LinuxSll,
                                                      dissect::LinkType::LinuxSll2, dissect::LinkType::Raw,
                                                      dissect::LinkType::Null, dissect::LinkType::Loop};
  capture::SessionOptions so;
  so.dissect.max_flows = 16;
  so.dissect.max_flow_bytes = 2048;
  so.dissect.max_buffered_bytes = 1 << 14;
  so.dissect.flow_idle_us = 5000;
  so.attribution.max_pending = 8;
  so.attribution.hold_us = 2000;
  so.attribution.max_queries = 8;
  so.attribution.addresses.max_addresses = 8;
  so.matcher = &matcher();
  std::string events;
  so.on_event = [&events](const inventory::Event& e) { events += inventory::to_jsonl(e); };
  capture::Session session(so);
  std::int64_t now = 1700000000000000;
  for (std::size_t i = 0; i + 5 <= size;) {
    const auto link = links[data[i] % links.size()];
    now += data[i + 1] | (data[i + 2] << 8);
    std::size_t len = data[i + 3] | (data[i + 4] << 8);
    i += 5;
    len = std::min(len, size - i);
    session.packet(link, {data + i, len}, now);
    i += len;
  }
  inventory::Inventory inv = session.finish();
  const std::string once = inventory::to_json(inv).dump();
  try {
    if (inventory::to_json(inventory::parse_inventory(once, "fuzz.json")).dump() != once) std::abort();
    if (!events.empty()) (void)inventory::parse_inventory(events, "fuzz.jsonl");
  } catch (const base::UserError&) {
    std::abort(); // netmap refused what netmap wrote
  }
  return 0;
}
