#include "netmap/capture/inventory_stream.hpp"

#include "netmap/base/error.hpp"
#include "unit/scratch_dir_helpers.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <sstream>

using namespace netmap;

namespace {

std::string streamed(const inventory::Inventory& inv) {
  std::ostringstream out;
  capture::stream_inventory(out, inv);
  return out.str();
}

inventory::Inventory sample() {
  inventory::Inventory inv;
  inventory::Event e;
  e.time_us = 1700000000000000;
  e.producer = "discover";
  e.name = "a.example.com";
  e.via = inventory::SeenVia::Sni;
  e.port = 443;
  e.address = "192.0.2.1";
  e.note = "ech";
  inv.add(e);
  e.name = "b.example.com";
  e.via = inventory::SeenVia::Dns;
  e.note = "ambiguous: a, \"b\"";
  inv.add(e);
  e.name.clear();
  e.address = "2001:db8::1";
  e.transport = "udp";
  inv.add(e);
  inv.sources = {"pcap:x.pcap", "command:make\\032test"};
  inv.stats = {{"packets", 12}, {"undecodable.bad-dns", 1}};
  return inv;
}

} // namespace

TEST(InventoryStream, SameBytesAsTheWholeDocument) {
  inventory::Inventory empty;
  EXPECT_EQ(streamed(empty), inventory::to_json(empty).dump(2) + "\n");
  auto inv = sample();
  EXPECT_EQ(streamed(inv), inventory::to_json(inv).dump(2) + "\n");
  inv.unnamed.clear();
  EXPECT_EQ(streamed(inv), inventory::to_json(inv).dump(2) + "\n");
}

TEST(InventoryStream, SaveIsAtomicAndReadable) {
  test::ScratchDir scratch;
  ASSERT_FALSE(scratch.path.empty());
  std::filesystem::path dir = scratch.path;
  auto path = (dir / "inv.json").string();
  capture::save_inventory(path, sample());
  auto back = inventory::read_inventory(path);
  EXPECT_EQ(back.domains.size(), 2U);
  EXPECT_EQ(back.unnamed.size(), 1U);
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    EXPECT_EQ(entry.path().filename(), "inv.json") << "no temporary left behind";
  EXPECT_THROW(capture::save_inventory((dir / "missing" / "x.json").string(), sample()), base::UserError);
}
