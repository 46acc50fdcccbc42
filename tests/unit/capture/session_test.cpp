// The discover pipeline on captures made by the project's generator (tests/gen): files written
// with PcapWriter, read back through PacketSource (libpcap) into a Session.

#include "netmap/base/error.hpp"
#include "netmap/base/interrupt.hpp"
#include "netmap/capture/inventory_stream.hpp"
#include "netmap/capture/session.hpp"
#include "netmap/policy/rule.hpp"

#include "fixtures.hpp"
#include "message_builder.hpp"
#include "pcap_writer.hpp"

#include "unit/scratch_dir_helpers.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

using namespace netmap;
using namespace netmap::testgen;

namespace {

constexpr std::int64_t k_t0 = 1700000000000000;

struct Capture {
  std::vector<std::pair<std::int64_t, Bytes>> frames;
  void add(std::int64_t dt_ms, const Bytes& ip) { frames.emplace_back(k_t0 + dt_ms * 1000, frame(Link::Ethernet, ip)); }
};

std::string write_pcap(const std::string& name, const Capture& c, Link link = Link::Ethernet) {
  std::string path = test::scratch_file(name);
  PcapWriter w(path, link);
  for (const auto& [t, f] : c.frames) w.write(t, f);
  w.close();
  return path;
}

inventory::Inventory discover(const std::vector<std::string>& files, const policy::Matcher* m = nullptr,
                              std::vector<inventory::Event>* events = nullptr) {
  capture::SessionOptions so;
  so.matcher = m;
  if (events) so.on_event = [events](const inventory::Event& e) { events->push_back(e); };
  capture::Session s(so);
  for (const auto& f : files) {
    auto src = capture::PacketSource::open_file(f, "");
    s.read(src, {});
  }
  return s.finish();
}

// A policy allowing example.com and every name below it, as a file rule from "test".
policy::Matcher allowing_example_com() {
  auto r = policy::parse_rule("**.example.com");
  EXPECT_TRUE(r.ok()) << r.error();
  policy::Rule rule = r.value();
  rule.action = policy::Action::Allow;
  rule.source.origin = "test";
  policy::Matcher m;
  m.add(rule);
  return m;
}

DnsRr a_record(const std::string& name, std::uint32_t ttl, const std::string& addr) {
  DnsRr rr;
  rr.owner = name;
  rr.type = k_rr_a;
  rr.ttl = ttl;
  rr.value = addr;
  return rr;
}

// A client asks for `name` (A) and gets `addr`; then connects to addr:port with a bare SYN.
void lookup_then_connect(Capture& c, std::int64_t t, const std::string& name, const std::string& addr,
                         std::uint16_t sport, std::uint16_t port, std::uint32_t ttl = 300) {
  Endpoints dns{"10.0.0.2", "10.0.0.53", sport, 53};
  c.add(t, udp_packet(dns, DnsBuilder::query(sport, name, k_rr_a)));
  c.add(t + 5, udp_packet(dns.reversed(), DnsBuilder::response(sport, name, k_rr_a, {a_record(name, ttl, addr)})));
  TcpFlow flow({"10.0.0.2", addr, static_cast<std::uint16_t>(sport + 1000), port}, 1000, 5000);
  c.add(t + 10, flow.syn());
}

} // namespace

TEST(CaptureSession, AttributesConnectionsThroughDnsAnswers) {
  Capture c;
  lookup_then_connect(c, 0, "api.example.com", "192.0.2.10", 40000, 443);
  std::string f = write_pcap("attr.pcap", c);
  auto inv = discover({f});
  ASSERT_EQ(inv.domains.count("api.example.com"), 1U);
  const auto& d = inv.domains.at("api.example.com");
  EXPECT_EQ(d.ports, std::set<std::uint16_t>{443}) << "the connection's port, not the resolver's 53";
  EXPECT_EQ(d.addresses, std::set<std::string>{"192.0.2.10"});
  EXPECT_EQ(d.count, 2U) << "one lookup and one connection";
  EXPECT_TRUE(inv.unnamed.empty());
  EXPECT_EQ(inv.stats.at("packets"), 3U);
  std::filesystem::remove(f);
}

TEST(CaptureSession, SharedAddressIsAmbiguous) {
  Capture c;
  lookup_then_connect(c, 0, "a.example.com", "198.51.100.1", 40000, 443);
  lookup_then_connect(c, 100, "b.example.com", "198.51.100.1", 40010, 443);
  std::string f = write_pcap("ambiguous.pcap", c);
  auto inv = discover({f});
  for (const char* n : {"a.example.com", "b.example.com"}) {
    ASSERT_EQ(inv.domains.count(n), 1U) << n;
    EXPECT_TRUE(inv.domains.at(n).notes.count("ambiguous: a.example.com, b.example.com")) << n;
  }
  std::filesystem::remove(f);
}

TEST(CaptureSession, ExpiredAnswerLeavesConnectionUnnamed) {
  Capture c;
  lookup_then_connect(c, 0, "short.example.com", "203.0.113.5", 40000, 443, 1);
  TcpFlow late({"10.0.0.2", "203.0.113.5", 50000, 443}, 1, 2);
  c.add(120000, late.syn()); // two minutes later: TTL 1 s + grace long gone
  std::string f = write_pcap("expired.pcap", c);
  auto inv = discover({f});
  ASSERT_EQ(inv.unnamed.size(), 1U);
  EXPECT_EQ(inv.unnamed.begin()->second.address, "203.0.113.5");
  EXPECT_EQ(inv.unnamed.begin()->second.port, 443);
  EXPECT_EQ(inv.unnamed.begin()->second.transport, "tcp");
  std::filesystem::remove(f);
}

TEST(CaptureSession, SniNamesItsOwnFlowNotUnnamed) {
  Capture c;
  TcpFlow flow({"10.0.0.2", "192.0.2.77", 41000, 8443}, 100, 200);
  c.add(0, flow.syn());
  c.add(1, flow.syn_ack());
  c.add(2, flow.ack());
  c.add(3, flow.client(tls_records(client_hello({.sni = "direct.example.net"}))));
  std::string f = write_pcap("sni.pcap", c);
  auto inv = discover({f});
  EXPECT_TRUE(inv.unnamed.empty()) << "the SYN waits for the ClientHello of its own flow";
  ASSERT_EQ(inv.domains.count("direct.example.net"), 1U);
  const auto& d = inv.domains.at("direct.example.net");
  EXPECT_EQ(d.via, std::set<std::string>{"sni"});
  EXPECT_EQ(d.ports, std::set<std::uint16_t>{8443});
  EXPECT_EQ(d.count, 1U);
  std::filesystem::remove(f);
}

TEST(CaptureSession, ConnectAuthorityIsTheDestination) {
  Capture c;
  TcpFlow flow({"127.0.0.1", "127.0.0.1", 42000, 3128}, 100, 200);
  c.add(0, flow.syn());
  c.add(1, flow.client(http_request("CONNECT", "pypi.org:443", "")));
  c.add(2, flow.client(http_request("CONNECT", "192.0.2.99:8443", "")));
  std::string f = write_pcap("connect.pcap", c);
  auto inv = discover({f});
  ASSERT_EQ(inv.domains.count("pypi.org"), 1U);
  EXPECT_EQ(inv.domains.at("pypi.org").via, std::set<std::string>{"connect"});
  EXPECT_EQ(inv.domains.at("pypi.org").ports, std::set<std::uint16_t>{443}) << "the authority's port, not the proxy's";
  EXPECT_TRUE(inv.domains.at("pypi.org").addresses.empty()) << "127.0.0.1 is the proxy, not pypi.org";
  std::filesystem::remove(f);
}

TEST(CaptureSession, VerdictsAndEventsFromThePolicy) {
  Capture c;
  lookup_then_connect(c, 0, "allowed.example.com", "192.0.2.1", 40000, 443);
  lookup_then_connect(c, 50, "other.example.org", "192.0.2.2", 40100, 443);
  std::string f = write_pcap("policy.pcap", c);
  policy::Matcher m = allowing_example_com();
  std::vector<inventory::Event> events;
  auto inv = discover({f}, &m, &events);
  EXPECT_EQ(inv.domains.at("allowed.example.com").verdict, "allowed");
  EXPECT_EQ(inv.domains.at("allowed.example.com").rule, "**.example.com");
  EXPECT_EQ(inv.domains.at("other.example.org").verdict, "unlisted");
  ASSERT_EQ(events.size(), 4U);
  for (const auto& e : events) {
    EXPECT_EQ(e.producer, "discover");
    EXPECT_FALSE(e.verdict.empty());
  }
  std::filesystem::remove(f);
}

TEST(CaptureSession, EveryGeneratorFixtureYieldsItsNames) {
  // The generator's fixtures say which names a correct pipeline reports; all of them must reach
  // the inventory (as domains, or as unnamed destinations for bare-IP connections).
  for (const auto& fx : make_fixtures()) {
    std::string path = test::scratch_file(fx.file);
    {
      PcapWriter w(path, fx.link, fx.file.ends_with(".pcapng") ? CaptureFormat::Pcapng : CaptureFormat::Pcap, fx.snaplen);
      for (const auto& [t, fr] : fx.frames) w.write(t, fr);
      w.close();
    }
    auto inv = discover({path});
    for (const auto& line : fx.expect) {
      std::istringstream in(line);
      std::string kind, name;
      in >> kind >> name;
      if (kind == "connection") {
        // Either an unnamed destination, or folded into the name its own flow carried (SNI).
        bool found = false;
        for (const auto& [k, u] : inv.unnamed) found = found || u.address == name;
        for (const auto& [n, d] : inv.domains) found = found || d.addresses.count(name) > 0;
        EXPECT_TRUE(found) << fx.file << ": " << line;
      } else {
        EXPECT_EQ(inv.domains.count(name), 1U) << fx.file << ": " << line;
      }
    }
    for (const auto& reason : fx.expect_drops)
      EXPECT_GT(inv.stats["undecodable." + reason], 0U) << fx.file << ": " << reason;
    std::filesystem::remove(path);
  }
}

TEST(CaptureSession, SeveralFilesFoldIntoOneInventory) {
  Capture a, b;
  lookup_then_connect(a, 0, "first.example.com", "192.0.2.1", 40000, 443);
  lookup_then_connect(b, 1000, "second.example.com", "192.0.2.2", 40100, 80);
  std::string fa = write_pcap("a.pcap", a), fb = write_pcap("b.pcap", b);
  auto inv = discover({fa, fb});
  EXPECT_EQ(inv.domains.size(), 2U);
  EXPECT_EQ(inv.sources.size(), 2U);
  EXPECT_EQ(inv.stats.at("packets"), 6U);
  std::filesystem::remove(fa);
  std::filesystem::remove(fb);
}

TEST(CaptureSource, BadFilesAreUserErrorsNamingTheFile) {
  EXPECT_THROW((void)capture::PacketSource::open_file("/nonexistent/x.pcap", ""), base::UserError);
  std::string junk = test::scratch_file("junk.pcap");
  std::ofstream(junk) << "this is not a capture file at all";
  try {
    (void)capture::PacketSource::open_file(junk, "");
    FAIL() << "junk accepted";
  } catch (const base::UserError& e) {
    EXPECT_EQ(e.where().file, junk);
  }
  // A capture cut in the middle of a packet (its writer killed): the whole packets before the cut
  // count, and the cut is counted as a name that may have been lost.
  Capture c;
  lookup_then_connect(c, 0, "cut.example.com", "192.0.2.1", 40000, 443);
  std::string whole = write_pcap("whole.pcap", c);
  auto size = std::filesystem::file_size(whole);
  std::filesystem::resize_file(whole, size - 20);
  auto src = capture::PacketSource::open_file(whole, "");
  capture::Session s({});
  s.read(src, {});
  EXPECT_FALSE(src.cut_short().empty());
  auto inv = s.finish();
  EXPECT_TRUE(inv.domains.contains("cut.example.com")) << "the DNS exchange before the cut is read";
  EXPECT_EQ(inv.stats.at("cut_short_captures"), 1U);
  EXPECT_EQ(inv.stats.at("names_maybe_lost"), 1U);
  EXPECT_THROW((void)capture::PacketSource::open_file(whole, "tcp port nonsense"), base::UserError);
  std::filesystem::remove(junk);
  std::filesystem::remove(whole);
}

TEST(CaptureSource, UserFilterApplies) {
  Capture c;
  lookup_then_connect(c, 0, "filtered.example.com", "192.0.2.1", 40000, 443);
  std::string f = write_pcap("filter.pcap", c);
  capture::Session s({});
  auto src = capture::PacketSource::open_file(f, "tcp");
  s.read(src, {});
  auto inv = s.finish();
  EXPECT_EQ(inv.stats.at("packets"), 1U) << "only the SYN passes 'tcp'";
  EXPECT_EQ(inv.unnamed.size(), 1U) << "without the DNS answer the address has no name";
  std::filesystem::remove(f);
}

TEST(CaptureSession, StreamedFindingsAreTheWholeInventoryByteForByte) {
  Capture c;
  lookup_then_connect(c, 0, "allowed.example.com", "192.0.2.1", 40000, 443);
  lookup_then_connect(c, 50, "other.example.org", "192.0.2.2", 40100, 8443);
  lookup_then_connect(c, 90, "allowed.example.com", "192.0.2.1", 40200, 443);
  std::string f = write_pcap("findings.pcap", c);
  policy::Matcher m = allowing_example_com();
  auto run = [&](bool whole) {
    capture::SessionOptions so;
    so.matcher = &m;
    capture::Session s(so);
    auto src = capture::PacketSource::open_file(f, "");
    s.read(src, {});
    std::ostringstream out;
    if (whole) capture::stream_inventory(out, s.finish());
    else capture::stream_inventory(out, s.finish_findings());
    return out.str();
  };
  const std::string streamed = run(false);
  EXPECT_EQ(streamed, run(true));
  EXPECT_NE(streamed.find("\"verdict\": \"allowed\""), std::string::npos);
  EXPECT_NE(streamed.find("\"verdict\": \"unlisted\""), std::string::npos);
  std::filesystem::remove(f);
}

// pcapng carries 64-bit timestamps: a file can date its packets after year 9999, which RFC 3339
// cannot write. Such times are unknown, so that netmap can read back every inventory it writes.
TEST(CaptureSession, TimesPastYear9999AreUnknownAndTheInventoryReadsBack) {
  Capture c;
  const std::int64_t far_ms = std::int64_t{300'000'000'000'000}; // after k_t0: year ~11476
  lookup_then_connect(c, far_ms, "future.example.com", "192.0.2.1", 40000, 443);
  const std::string path = test::scratch_file("future.pcapng");
  {
    PcapWriter w(path, Link::Ethernet, CaptureFormat::Pcapng);
    for (const auto& [t, f] : c.frames) w.write(t, f);
    w.close();
  }
  std::vector<inventory::Event> events;
  auto inv = discover({path}, nullptr, &events);
  ASSERT_EQ(inv.domains.count("future.example.com"), 1U);
  EXPECT_EQ(inv.domains.at("future.example.com").first_us, 0);
  const std::string out = test::scratch_file("future.json");
  inventory::write_inventory(out, inv);
  EXPECT_EQ(inventory::read_inventory(out).domains.count("future.example.com"), 1U);
  ASSERT_FALSE(events.empty());
  std::string lines;
  for (const auto& e : events) lines += inventory::to_jsonl(e);
  inventory::write_inventory(out, inventory::parse_inventory(lines, "events.jsonl")); // events read back too
  std::filesystem::remove(path);
  std::filesystem::remove(out);
}

namespace {

std::string jsonl_of(const std::vector<inventory::Event>& events) {
  std::string lines;
  for (const auto& e : events) lines += inventory::to_jsonl(e);
  return lines;
}

} // namespace

// A lookup's event waits for its answer and carries it (rcode, addresses, TTL), so the inventory
// rebuilt from --events is the one -o writes (audit: merge of the events lost every address).
TEST(CaptureSession, DnsEventsCarryTheAnswerSoEventsRebuildTheInventory) {
  Capture c;
  lookup_then_connect(c, 0, "api.example.com", "192.0.2.10", 40000, 443, 120);
  Endpoints dns{"10.0.0.2", "10.0.0.53", 40100, 53};
  c.add(20, udp_packet(dns, DnsBuilder::query(1, "two.example.com", k_rr_a)));
  c.add(25, udp_packet(dns.reversed(), DnsBuilder::response(1, "two.example.com", k_rr_a,
                                                            {a_record("two.example.com", 60, "192.0.2.21"),
                                                             a_record("two.example.com", 60, "192.0.2.22")})));
  Endpoints nx{"10.0.0.2", "10.0.0.53", 40200, 53};
  c.add(30, udp_packet(nx, DnsBuilder::query(2, "nx.example.com", k_rr_a)));
  c.add(35, udp_packet(nx.reversed(), DnsBuilder::response(2, "nx.example.com", k_rr_a, {}, 3)));
  Endpoints lost{"10.0.0.2", "10.0.0.53", 40300, 53};
  c.add(40, udp_packet(lost, DnsBuilder::query(3, "unanswered.example.com", k_rr_a)));
  std::string f = write_pcap("dns-events.pcap", c);
  std::vector<inventory::Event> events;
  auto inv = discover({f}, nullptr, &events);

  const inventory::Event* api = nullptr;
  const inventory::Event* two = nullptr;
  const inventory::Event* nxe = nullptr;
  const inventory::Event* unanswered = nullptr;
  for (const auto& e : events) {
    if (e.via != inventory::SeenVia::Dns) continue;
    if (e.name == "api.example.com" && !e.qtype.empty()) api = &e;
    if (e.name == "two.example.com") two = &e;
    if (e.name == "nx.example.com") nxe = &e;
    if (e.name == "unanswered.example.com") unanswered = &e;
  }
  ASSERT_TRUE(api && two && nxe && unanswered);
  EXPECT_EQ(api->rcode, "NOERROR");
  EXPECT_EQ(api->address, "192.0.2.10");
  EXPECT_EQ(api->ttl, 120U);
  EXPECT_EQ(api->time_us, k_t0) << "the lookup is dated by its query";
  EXPECT_EQ(two->answers, (std::vector<std::string>{"192.0.2.21", "192.0.2.22"}));
  EXPECT_EQ(two->address, "192.0.2.21");
  EXPECT_EQ(nxe->rcode, "NXDOMAIN");
  EXPECT_TRUE(nxe->address.empty());
  EXPECT_TRUE(unanswered->rcode.empty()) << "an unanswered query is still a lookup, written at the end";
  EXPECT_EQ(inv.domains.at("two.example.com").addresses, (std::set<std::string>{"192.0.2.21", "192.0.2.22"}));

  // The events, read back, hold the same domains, counts, ports and addresses.
  auto rebuilt = inventory::parse_inventory(jsonl_of(events), "events.jsonl");
  ASSERT_EQ(rebuilt.domains.size(), inv.domains.size());
  for (const auto& [name, d] : inv.domains) {
    ASSERT_EQ(rebuilt.domains.count(name), 1U) << name;
    const auto& r = rebuilt.domains.at(name);
    EXPECT_EQ(r.addresses, d.addresses) << name;
    EXPECT_EQ(r.count, d.count) << name;
    EXPECT_EQ(r.ports, d.ports) << name;
    EXPECT_EQ(r.via, d.via) << name;
  }
  std::filesystem::remove(f);
}

// A request that names an address (Host: 192.0.2.10) is a bare-IP destination even when DNS
// answered that address for a name: a proxy sees the address, which no name rule admits. A
// connection that names nothing is credited to the name (audit finding 6: one documented rule).
TEST(CaptureSession, RequestNamingAnAddressIsUnnamedEvenWhenDnsNamedIt) {
  Capture c;
  lookup_then_connect(c, 0, "api.example.com", "192.0.2.10", 40000, 443);
  TcpFlow http({"10.0.0.2", "192.0.2.10", 41500, 8080}, 100, 200);
  c.add(20, http.syn());
  c.add(21, http.syn_ack());
  c.add(22, http.ack());
  c.add(23, http.client(http_request("GET", "/", "192.0.2.10:8080")));
  std::string f = write_pcap("iphost.pcap", c);
  auto inv = discover({f});
  ASSERT_EQ(inv.domains.count("api.example.com"), 1U);
  EXPECT_EQ(inv.domains.at("api.example.com").ports, std::set<std::uint16_t>{443}) << "the nameless SYN is credited";
  ASSERT_EQ(inv.unnamed.size(), 1U);
  EXPECT_EQ(inv.unnamed.begin()->second.address, "192.0.2.10");
  EXPECT_EQ(inv.unnamed.begin()->second.port, 8080);
  std::filesystem::remove(f);
}

// started/finished of a file are its first and last packet, whether or not a packet named
// anything (audit finding 8).
TEST(CaptureSession, FileSpanIsFirstToLastPacket) {
  Capture c;
  TcpFlow a({"10.0.0.2", "192.0.2.1", 40000, 22}, 1, 2);
  c.add(0, a.syn_ack()); // nothing named: no event at all
  lookup_then_connect(c, 1000, "mid.example.com", "192.0.2.3", 40100, 443);
  c.add(5000, a.ack());
  std::string f = write_pcap("span.pcap", c);
  auto inv = discover({f});
  EXPECT_EQ(inv.started_us, k_t0);
  EXPECT_EQ(inv.finished_us, k_t0 + 5000 * 1000);
  std::filesystem::remove(f);
}
