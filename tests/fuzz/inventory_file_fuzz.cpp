// Inventory and events files (check --inventory, merge, export read them, and CI jobs pass them
// between each other): parsed, then written back and read again. Bad input must end in a
// UserError, never a crash; what was read must survive its own round trip.

#include "netmap/base/error.hpp"
#include "netmap/inventory/inventory.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace netmap;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  inventory::Inventory inv;
  try {
    inv = inventory::parse_inventory(text, "fuzz.json");
  } catch (const base::UserError&) {
    return 0;
  }
  // Written as netmap writes it, the inventory reads back the same.
  std::string once = inventory::to_json(inv).dump();
  inventory::Inventory again;
  try {
    again = inventory::parse_inventory(once, "again.json");
  } catch (const base::UserError&) {
    std::abort(); // netmap refused what netmap wrote
  }
  if (inventory::to_json(again).dump() != once) std::abort();
  again.merge(inv); // counts saturate, never wrap
  return 0;
}
