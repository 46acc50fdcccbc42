#include "netmap/inventory/inventory.hpp"

#include "netmap/base/atomic_file.hpp"
#include "netmap/base/error.hpp"
#include "netmap/policy/rule.hpp"

#include "unit/scratch_dir_helpers.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>

using namespace netmap;
using namespace netmap::inventory;

namespace {
Event ev(std::string name, SeenVia via, std::uint16_t port, std::int64_t t) {
  Event e;
  e.name = std::move(name);
  e.via = via;
  e.port = port;
  e.time_us = t;
  e.producer = "discover";
  return e;
}
} // namespace

TEST(Inventory, FoldsEventsPerDomain) {
  Inventory inv;
  inv.add(ev("a.example.com", SeenVia::Dns, 53, 1000000));
  inv.add(ev("a.example.com", SeenVia::Sni, 443, 3000000));
  Event u;
  u.address = "192.0.2.1";
  u.port = 443;
  u.transport = "tcp";
  u.time_us = 2000000;
  inv.add(u);
  ASSERT_EQ(inv.domains.size(), 1u);
  const auto& d = inv.domains["a.example.com"];
  EXPECT_EQ(d.count, 2u);
  EXPECT_EQ(d.via, (std::set<std::string>{"dns", "sni"}));
  EXPECT_EQ(d.first_us, 1000000);
  EXPECT_EQ(d.last_us, 3000000);
  ASSERT_EQ(inv.unnamed.size(), 1u);
}

TEST(Inventory, JsonRoundTripAndMerge) {
  Inventory a, b;
  a.add(ev("a.example.com", SeenVia::Dns, 53, 1000000));
  b.add(ev("a.example.com", SeenVia::Quic, 443, 5000000));
  b.add(ev("b.example.com", SeenVia::HttpHost, 80, 6000000));
  b.stats["packets"] = 10;
  auto back = inventory_from_json(to_json(b), "x");
  EXPECT_EQ(to_json(back), to_json(b));
  a.merge(back);
  EXPECT_EQ(a.domains.size(), 2u);
  EXPECT_EQ(a.domains["a.example.com"].count, 2u);
  EXPECT_EQ(a.domains["a.example.com"].ports, (std::set<std::uint16_t>{53, 443}));
  EXPECT_EQ(a.stats["packets"], 10u);
}

TEST(Inventory, AppliesPolicy) {
  Inventory inv;
  inv.add(ev("a.example.com", SeenVia::Dns, 53, 1));
  inv.add(ev("b.other.org", SeenVia::Dns, 53, 1));
  policy::Matcher m;
  auto r = policy::parse_rule("**.example.com").value();
  r.source.origin = "test";
  m.add(r);
  inv.apply_policy(m);
  EXPECT_EQ(inv.domains["a.example.com"].verdict, "allowed");
  EXPECT_EQ(inv.domains["a.example.com"].rule, "**.example.com");
  EXPECT_EQ(inv.domains["b.other.org"].verdict, "unlisted");
}

TEST(Inventory, ReadsEventsAndInventories) {
  auto f = test::scratch_file("netmap-events-");
  base::write_file_atomic(f, to_jsonl(ev("a.example.com", SeenVia::Dns, 53, 1000000)) + "\n" +
                                 to_jsonl(ev("b.example.com", SeenVia::Sni, 443, 2000000)));
  auto inv = read_inventory(f);
  EXPECT_EQ(inv.domains.size(), 2u);
  write_inventory(f, inv);
  EXPECT_EQ(read_inventory(f).domains.size(), 2u);
  std::filesystem::remove(f);
}

TEST(Inventory, RejectsHostileFiles) {
  auto f = test::scratch_file("netmap-bad-");
  for (const char* bad : {"", "{", "[1,2]", "{\"schema\":\"other\"}", "{\"schema\":\"netmap.inventory\",\"version\":1,\"domains\":[{\"name\":\"x\",\"ports\":[70000]}]}",
                          "{\"schema\":\"netmap.inventory\",\"version\":99,\"domains\":[]}",
                          "{\"via\":\"dns\",\"time\":\"2026-01-01T00:00:00Z\",\"name\":\"a\"}\nnot json\n"}) {
    base::write_file_atomic(f, bad);
    EXPECT_THROW((void)read_inventory(f), base::UserError) << bad;
  }
  std::filesystem::remove(f);
  EXPECT_THROW((void)read_inventory("/nonexistent/inventory.json"), base::UserError);
}

// A field of the wrong type is a damaged or hand-made file: an error naming the entry and the
// field, never a silent zero.
TEST(Inventory, WrongFieldTypesAreErrorsNamingTheField) {
  auto f = test::scratch_file("netmap-typed-");
  const std::string head = R"({"schema":"netmap.inventory","version":1,)";
  const std::pair<const char*, const char*> cases[] = {
      {R"("domains":[{"name":"a.example","count":-5}])", "domain 'a.example': 'count' is not a whole number"},
      {R"("domains":[{"name":"a.example","count":1.5}])", "domain 'a.example': 'count' is not a whole number"},
      {R"("domains":[{"name":"a.example","count":"7"}])", "domain 'a.example': 'count' is not a whole number"},
      {R"("domains":[{"name":"a.example","first_seen":"yesterday"}])", "'first_seen' is not an RFC 3339 time: 'yesterday'"},
      {R"("domains":[{"name":"a.example","verdict":3}])", "domain 'a.example': 'verdict' is not a string"},
      {R"("domains":[{"name":7}])", "'domains' entry 1: 'name' is not a string"},
      {R"("domains":[],"stats":{"packets":-1})", "'stats' value 'packets' is not a whole number"},
      {R"("domains":[],"sources":[1])", "'sources' holds a non-string"},
      {R"("domains":[],"unnamed":[{"address":"192.0.2.1","port":443,"count":true}])", "'unnamed' entry 1: 'count'"},
  };
  for (const auto& [body, want] : cases) {
    base::write_file_atomic(f, head + body + "}");
    try {
      (void)read_inventory(f);
      ADD_FAILURE() << "accepted: " << body;
    } catch (const base::UserError& e) {
      EXPECT_NE(std::string(e.what()).find(want), std::string::npos) << e.what();
    }
  }
  std::filesystem::remove(f);
}

TEST(Inventory, JsonSyntaxErrorsSayLineAndColumn) {
  auto f = test::scratch_file("netmap-syntax-");
  base::write_file_atomic(f, "{\"schema\": \"netmap.inventory\",\n \"version\": 1,\n \"domains\": [ {\"name\": \"a\", }\n]}\n");
  try {
    (void)read_inventory(f);
    FAIL() << "accepted";
  } catch (const base::UserError& e) {
    EXPECT_EQ(e.where().line, 3);
    EXPECT_EQ(e.where().column, 29);
    EXPECT_EQ(e.message().rfind("invalid JSON: syntax error", 0), 0u) << e.message();
  }
  std::filesystem::remove(f);
}

// A file that cannot be one (a capture, an array, NULs) is refused at its start, where it goes
// wrong, without reading the rest; a UTF-8 byte order mark before the object is fine.
TEST(Inventory, AWrongFileIsRefusedAtItsStart) {
  auto where = [](const std::string& text) {
    try {
      (void)parse_inventory(text, "f.json");
    } catch (const base::UserError& e) {
      return e.where().str() + " " + e.message();
    }
    return std::string("(accepted)");
  };
  EXPECT_EQ(where("\n\n  [1, 2]\n"), "f.json:3:3 not an inventory or events file: those start with '{'");
  EXPECT_EQ(where(std::string("\xd4\xc3\xb2\xa1\x02\x00\x04\x00", 8)), "f.json this is a packet capture, not an inventory");
  EXPECT_EQ(where(std::string("\x0a\x0d\x0d\x0a\x1c\x00\x00\x00", 8)), "f.json this is a packet capture, not an inventory");
  EXPECT_EQ(where("\xef\xbb\xbf{\"schema\":\"netmap.inventory\",\"version\":1}"), "(accepted)");
  EXPECT_EQ(where(std::string(3, '\0')), "f.json:1:1 not an inventory or events file: those start with '{'");
  std::size_t read = 0;
  (void)base::read_file("/dev/zero", std::size_t{1} << 30, [&](std::string_view so_far) {
    read = so_far.size();
    return true;
  });
  EXPECT_LE(read, std::size_t{64} << 10) << "one read of a wrong start, not the gigabyte bound";
}

// Counts add up across files and within one (a name listed twice), and stop at the largest value
// instead of wrapping to a small one.
TEST(Inventory, CountsAddUpAndSaturate) {
  auto f = test::scratch_file("netmap-counts-");
  base::write_file_atomic(f, R"({"schema":"netmap.inventory","version":1,"stats":{"packets":18446744073709551615},
    "domains":[{"name":"a.example","count":18446744073709551615,"ports":[443]},{"name":"a.example","count":2,"ports":[80]}]})");
  auto inv = read_inventory(f);
  ASSERT_EQ(inv.domains.size(), 1u);
  EXPECT_EQ(inv.domains.at("a.example").count, UINT64_MAX);
  EXPECT_EQ(inv.domains.at("a.example").ports, (std::set<std::uint16_t>{80, 443}));
  inv.merge(read_inventory(f));
  EXPECT_EQ(inv.domains.at("a.example").count, UINT64_MAX);
  EXPECT_EQ(inv.stats.at("packets"), UINT64_MAX);
  std::filesystem::remove(f);
}

TEST(Inventory, EventLinesWithBadFieldsNameTheLineAndField) {
  auto f = test::scratch_file("netmap-events-bad-");
  const std::string good = R"({"time":"2026-01-01T00:00:00Z","via":"dns","name":"a.example","port":53})";
  const std::pair<const char*, const char*> cases[] = {
      {R"({"time":"2026-01-01T00:00:00Z","via":"dns","name":"b.example","port":70000})", "'port' has the wrong type"},
      {R"({"time":"2026-01-01T00:00:00Z","via":"dns","name":"b.example","port":1e40})", "'port' has the wrong type"},
      {R"({"time":"2026-01-01T00:00:00Z","via":"dns","name":"b.example","pid":-1.5})", "'pid' has the wrong type"},
      {R"({"time":"2026-01-01T00:00:00Z","via":"dns","name":"b.example","latency_ms":"fast"})", "'latency_ms' has the wrong type"},
      {R"({"time":"2026-01-01T00:00:00Z","via":"telepathy","name":"b.example"})", "'via' is not one of"},
      {R"({"time":"noon","via":"dns","name":"b.example"})", "'time' is not an RFC 3339 time"},
      {R"({"time":"2026-01-01T00:00:00Z","via":"dns"})", "neither 'name' nor 'address'"},
      {R"({"time":"2026-01-01T00:00:00Z","via":"dns","name":"b.example",)", "invalid JSON on this line"},
      {R"({"time":"2026-01-01T00:00:00Z","via":"dns","name":"b.example","port":1e999})", "invalid JSON on this line"},
  };
  for (const auto& [line, want] : cases) {
    base::write_file_atomic(f, good + "\n" + line + "\n");
    try {
      (void)read_inventory(f);
      ADD_FAILURE() << "accepted: " << line;
    } catch (const base::UserError& e) {
      EXPECT_EQ(e.where().line, 2) << line;
      if (std::string(line).ends_with(",")) {
        EXPECT_EQ(e.where().column, 63) << e.where().str(); // past the comma
      }
      EXPECT_NE(e.message().find(want), std::string::npos) << e.message();
    }
  }
  std::filesystem::remove(f);
}

namespace {
// Reads `text` as a file would be read; the error's message ("" when it was accepted).
std::string read_error(const std::string& text, base::Location* where = nullptr) {
  try {
    (void)parse_inventory(text, "f.json");
  } catch (const base::UserError& e) {
    if (where) *where = e.where();
    return e.message();
  }
  return "";
}
const std::string k_head = R"({"schema":"netmap.inventory","version":1,)";
} // namespace

// One host spelled two ways is one domain, in inventories and in events (audit finding 10).
TEST(Inventory, NamesAreNormalizedAndFoldedOnRead) {
  auto inv = parse_inventory(k_head + R"("domains":[{"name":"A.Example.","count":1,"addresses":["::0001"]},
                                                    {"name":"a.example","count":2,"addresses":["::1"]}]})",
                             "case.json");
  ASSERT_EQ(inv.domains.size(), 1U);
  EXPECT_EQ(inv.domains.at("a.example").count, 3U);
  EXPECT_EQ(inv.domains.at("a.example").name, "a.example");
  EXPECT_EQ(inv.domains.at("a.example").addresses, std::set<std::string>{"::1"});
  auto ev = parse_inventory("{\"v\":1,\"time\":\"2026-11-28T10:00:01Z\",\"via\":\"dns\",\"name\":\"A.Example.\"}\n"
                            "{\"v\":1,\"time\":\"2026-11-28T10:00:02Z\",\"via\":\"sni\",\"name\":\"a.example\"}\n",
                            "case.jsonl");
  ASSERT_EQ(ev.domains.size(), 1U);
  EXPECT_EQ(ev.domains.at("a.example").count, 2U);
}

// What the format doc promises a reader does (audit finding 12).
TEST(Inventory, ReaderValidatesAsTheFormatDocSays) {
  // A missing field is empty: "domains" too.
  auto inv = parse_inventory(k_head + R"("unnamed":[{"address":"192.0.2.1","port":1,"transport":"tcp","count":1}]})", "f.json");
  EXPECT_TRUE(inv.domains.empty());
  EXPECT_EQ(inv.unnamed.size(), 1U);
  // An offset is converted to UTC.
  inv = parse_inventory(k_head + R"("domains":[{"name":"a.example","first_seen":"2025-11-28T12:00:00+02:00"}]})", "f.json");
  EXPECT_EQ(inv.domains.at("a.example").first_us, 1764324000000000);
  const std::pair<const char*, const char*> cases[] = {
      {R"("domains":[{"name":"a.example","first_seen":"2026-02-30T10:00:00Z"}])", "'first_seen' is not a valid time: '2026-02-30T10:00:00Z': day 30"},
      {R"("started":"2026-02-29T00:00:00Z","domains":[])", "'started' is not a valid time"},
      {R"("domains":[],"unnamed":[{"address":"not-an-ip","port":1}])", "'unnamed' entry 1: 'address' is 'not-an-ip', not an IPv4 or IPv6 address"},
      {R"("domains":[{"name":"a.example","addresses":["1.2.3"]}])", "domain 'a.example': 'addresses' holds '1.2.3', which is not an IPv4 or IPv6 address"},
      {R"("domains":[{"name":"a.example","seen_via":["carrier-pigeon"]}])", "domain 'a.example': 'seen_via' holds 'carrier-pigeon', not one of dns"},
      {R"("domains":[{"name":"a.example","verdict":"maybe"}])", "domain 'a.example': 'verdict' is 'maybe', not one of"},
      {R"("domains":[{"name":"a.example"}],"domains":[])", "the key 'domains' appears twice in one object"},
      {R"("domains":[{"name":"a.example","count":1,"count":2}])", "the key 'count' appears twice"},
  };
  for (const auto& [body, want] : cases) {
    auto err = read_error(k_head + body + "}");
    EXPECT_NE(err.find(want), std::string::npos) << body << "\n  -> " << err;
  }
}

// An events line of a newer version is refused like a newer inventory, at its line, with the
// hint to upgrade (audit finding 13).
TEST(Inventory, EventsOfANewerVersionAreRefused) {
  base::Location where;
  const std::string v1 = R"({"v":1,"time":"2026-11-28T10:00:01.000000Z","via":"dns","name":"a.example"})";
  const std::string v2 = R"({"v":2,"time":"2026-11-28T10:00:01.000000Z","via":"dns","name":"a.example"})";
  auto err = read_error(v1 + "\n" + v2 + "\n", &where);
  EXPECT_EQ(err, "event version 2 is newer than this netmap understands (1)");
  EXPECT_EQ(where.line, 2);
  try {
    (void)parse_inventory(v2 + "\n", "ev_v2.jsonl");
    FAIL() << "accepted";
  } catch (const base::UserError& e) {
    EXPECT_EQ(e.hint(), "upgrade netmap");
    EXPECT_EQ(e.where().line, 1);
  }
  EXPECT_NE(read_error(R"({"v":"1","time":"2026-11-28T10:00:01Z","via":"dns","name":"a.example"})" "\n").find("'v'"), std::string::npos);
}

TEST(Inventory, EventLinesAreValidatedLikeInventories) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"time":"2026-11-28T10:00:01Z","via":"dns","name":"a.example","address":"nope"})", "'address' is not an IPv4 or IPv6 address"},
      {R"({"time":"2026-11-28T10:00:01Z","via":"dns","name":"a.example","answers":["1.2.3.4","x"]})", "'answers' holds"},
      {R"({"time":"2026-11-28T10:00:01Z","via":"dns","name":"a.example","verdict":"maybe"})", "'verdict' is not one of allowed, denied, mock, ignored, unlisted, invalid, blocked-alias, ip-literal, method-blocked, loop, local-address"},
      {R"({"time":"2026-02-30T10:00:01Z","via":"dns","name":"a.example"})", "'time' is not a valid time: day 30"},
      {R"({"time":"2026-11-28T10:00:01Z","via":"dns","name":"a.example","name":"b.example"})", "the key 'name' appears twice"},
  };
  for (const auto& [line, want] : cases) {
    base::Location where;
    auto err = read_error(std::string(R"({"time":"2026-11-28T10:00:00Z","via":"dns","name":"ok.example"})") + "\n" + line + "\n", &where);
    EXPECT_NE(err.find(want), std::string::npos) << line << "\n  -> " << err;
    EXPECT_EQ(where.line, 2) << line;
  }
  // A time with an offset, and the DNS answer's addresses, are read.
  auto inv = parse_inventory(std::string(R"({"time":"2025-11-28T12:00:00+02:00","via":"dns","name":"a.example","rcode":"NOERROR","address":"192.0.2.1","answers":["192.0.2.1","192.0.2.2"],"ttl":60})") +
                                 "\n" + R"({"time":"2025-11-28T10:00:01Z","via":"sni","name":"a.example","address":"192.0.2.2","port":443})" + "\n",
                             "ev.jsonl");
  const auto& d = inv.domains.at("a.example");
  EXPECT_EQ(d.first_us, 1764324000000000);
  EXPECT_EQ(d.addresses, (std::set<std::string>{"192.0.2.1", "192.0.2.2"}));
  EXPECT_EQ(d.count, 2U);
}

TEST(Inventory, EventAnswersRoundTrip) {
  Event e = ev("a.example", SeenVia::Dns, 0, 1000000);
  e.rcode = "NOERROR";
  e.address = "192.0.2.1";
  e.answers = {"192.0.2.1", "2001:db8::1"};
  e.ttl = 30;
  auto back = event_from_json(to_json(e));
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(back.value().answers, e.answers);
  EXPECT_EQ(to_json(back.value()), to_json(e));
}
