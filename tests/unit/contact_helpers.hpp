#pragma once
// One contact as the tests build inventories from: a name seen a given way on a given port.

#include "netmap/inventory/event.hpp"

#include <cstdint>
#include <string>

namespace netmap::test {

/// An event for `name` seen via `via` on `port` at time `time_us` (producer left empty).
inline inventory::Event contact(std::string name, inventory::SeenVia via = inventory::SeenVia::Sni,
                                std::uint16_t port = 443, std::int64_t time_us = 1) {
  inventory::Event e;
  e.name = std::move(name);
  e.via = via;
  e.port = port;
  e.time_us = time_us;
  return e;
}

} // namespace netmap::test
