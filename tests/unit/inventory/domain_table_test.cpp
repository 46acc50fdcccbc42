#include "netmap/inventory/domain_table.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

using namespace netmap::inventory;

namespace {

std::vector<Event> mixed_events() {
  std::vector<Event> out;
  auto ev = [&](std::int64_t t, const std::string& name, SeenVia via) -> Event& {
    Event& e = out.emplace_back();
    e.time_us = t;
    e.producer = "discover";
    e.name = name;
    e.via = via;
    return e;
  };
  ev(5, "b.example.com", SeenVia::Dns).note = "cname-of: a.example.com";
  Event& a = ev(3, "a.example.com", SeenVia::Sni);
  a.port = 443;
  a.address = "192.0.2.10";
  Event& a2 = ev(9, "a.example.com", SeenVia::Dns);
  a2.address = "192.0.2.9";
  a2.port = 8443;
  Event& a3 = ev(7, "a.example.com", SeenVia::Sni);
  a3.port = 443;
  a3.address = "192.0.2.10";
  a3.note = "ech";
  Event& p = ev(11, "proxy.example.org", SeenVia::Proxy);
  p.producer = "proxy";
  p.status = 403;
  p.pid = 42;
  p.command = "curl x";
  p.verdict = "unlisted";
  Event& r = ev(12, "proxy.example.org", SeenVia::Resolver);
  r.producer = "sandbox-dns";
  r.rcode = "NXDOMAIN";
  r.verdict = "allowed";
  r.rule = "**.example.org";
  r.rule_source = "netmap.yaml:3";
  Event& d = ev(13, "seen.example.net", SeenVia::Connect);
  d.verdict = "denied"; // discover's own event: not a block
  ev(0, "untimed.example.net", SeenVia::HttpHost).port = 80;
  Event& u = ev(14, "", SeenVia::Direct);
  u.address = "198.51.100.1";
  return out;
}

} // namespace

TEST(DomainTable, FoldsExactlyAsInventoryAdd) {
  Inventory whole;
  DomainTable table;
  for (const auto& e : mixed_events()) {
    whole.add(e);
    table.add(e);
  }
  table.add_addresses("a.example.com", {"192.0.2.11", "192.0.2.10"});
  table.add_addresses("nobody.example.com", {"192.0.2.99"});
  whole.domains["a.example.com"].addresses.insert("192.0.2.11");
  EXPECT_EQ(table.size(), 5u);
  EXPECT_TRUE(table.contains("proxy.example.org"));
  EXPECT_FALSE(table.contains("nobody.example.com")) << "answered addresses alone make no record";

  Inventory walked;
  std::vector<std::string> order;
  table.for_each([&](DomainRecord& d) {
    order.push_back(d.name);
    walked.domains.emplace(d.name, d);
  });
  EXPECT_TRUE(std::is_sorted(order.begin(), order.end()));
  Inventory expected;
  expected.domains = whole.domains;
  EXPECT_EQ(to_json(walked).dump(), to_json(expected).dump());

  Inventory moved;
  table.move_into(moved);
  EXPECT_EQ(to_json(moved).dump(), to_json(expected).dump());
  EXPECT_EQ(table.size(), 0u);
}

TEST(DomainTable, MoveIntoMergesWithRecordsAlreadyThere) {
  Inventory inv;
  Event e;
  e.time_us = 1;
  e.name = "a.example.com";
  e.port = 53;
  inv.add(e);
  DomainTable table;
  e.time_us = 2;
  e.port = 443;
  table.add(e);
  table.move_into(inv);
  ASSERT_EQ(inv.domains.size(), 1u);
  EXPECT_EQ(inv.domains["a.example.com"].count, 2u);
  EXPECT_EQ(inv.domains["a.example.com"].ports, (std::set<std::uint16_t>{53, 443}));
}

TEST(DomainTable, ManyNamesCostLittle) {
  DomainTable table;
  Event e;
  e.producer = "discover";
  for (int i = 0; i < 50000; ++i) {
    e.time_us = i + 1;
    e.name = "api" + std::to_string(i) + "-cname.example.com";
    e.via = SeenVia::Dns;
    e.address = "10." + std::to_string(i / 65536) + "." + std::to_string(i / 256 % 256) + "." + std::to_string(i % 256);
    e.note = i % 3 == 0 ? "cname-of: registry" + std::to_string(i) + ".example.com" : "";
    table.add(e);
  }
  EXPECT_EQ(table.size(), 50000u);
  // std::map + std::sets held ~800 bytes a name like these; the budget here is a quarter of that.
  EXPECT_LT(table.memory_bytes() / table.size(), 200u) << table.memory_bytes();
}
