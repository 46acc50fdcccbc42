// QUIC Initial reassembly cases and the flow table's bounds: eviction, idle timeout, budgets.

#include "dissect_test_helpers.hpp"
#include "message_builder.hpp"
#include "netmap/dissect/flow_table.hpp"
#include "quic_builder.hpp"

#include <gtest/gtest.h>

namespace netmap::dissect {
namespace {

using testgen::Bytes;

std::vector<Bytes> quic_frames(const testgen::HelloOptions& h, const testgen::QuicOptions& o,
                               const std::string& src = "10.0.0.1", std::uint16_t sport = 50000) {
  std::vector<Bytes> frames;
  for (const auto& d : testgen::quic_client_initials(testgen::client_hello(h), o))
    frames.push_back(testgen::udp_packet({src, "10.0.0.2", sport, 443}, d));
  return frames;
}

TEST(DissectQuic, SplitCoalescedOutOfOrderAndSwitchedDcid) {
  testgen::HelloOptions h{"big.example.com"};
  h.padding = 2500;
  h.sni_last = true;
  h.ech = true;
  for (int variant = 0; variant < 4; ++variant) {
    testgen::QuicOptions o;
    o.version = variant % 2 == 0 ? 1 : 0x6b3343cf;
    o.crypto_per_packet = 700;
    o.coalesce = variant == 1;
    o.reverse = variant >= 2;
    o.switch_dcid = variant == 3;
    Dissector d;
    auto out = test::run(d, testgen::Link::Raw, quic_frames(h, o));
    ASSERT_EQ(out.size(), 1u) << variant;
    EXPECT_EQ(out[0].kind, ObservationKind::QuicSni);
    EXPECT_EQ(out[0].name, "big.example.com");
    EXPECT_EQ(out[0].note, o.version == 1 ? "ech" : "quic-v2,ech");
    EXPECT_TRUE(d.drops().empty());
  }
}

TEST(DissectQuic, ServerRepliesAndLaterPacketsAreQuiet) {
  auto frames = quic_frames({"q.example.com"}, {});
  frames.push_back(testgen::udp_packet({"10.0.0.2", "10.0.0.1", 443, 50000}, Bytes(1200, 0xc0)));
  frames.push_back(testgen::udp_packet({"10.0.0.1", "10.0.0.2", 50000, 443}, Bytes(60, 0x40)));
  Dissector d;
  auto out = test::run(d, testgen::Link::Raw, frames);
  EXPECT_EQ(test::summary(out), std::vector<std::string>{"quic q.example.com"});
  EXPECT_TRUE(d.drops().empty());
}

TEST(DissectQuic, ServerInitialWithoutItsClientIsNeitherADropNorAConnection) {
  auto frames = quic_frames({"s.example.com"}, {});
  Dissector d;
  // The client's datagram, seen as if sent from the server's port: undecryptable to us.
  frames[0][28 + 100] ^= 0x01;
  std::vector<Observation> out;
  Bytes server = testgen::udp_packet({"10.0.0.2", "10.0.0.1", 443, 50000},
                                     Bytes(frames[0].begin() + 28, frames[0].end()));
  d.packet(LinkType::Raw, server, 1, out);
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(d.drops().empty());
}

TEST(DissectFlows, NewSynOnAFinishedFlowsTupleIsANewConnection) {
  testgen::TcpFlow a({"10.0.0.1", "10.0.0.2", 45000, 443}, 1, 1);
  testgen::TcpFlow b({"10.0.0.1", "10.0.0.2", 45000, 443}, 90000, 1);
  std::vector<Bytes> frames{a.syn(), a.client(testgen::tls_records(testgen::client_hello({"first.example"}))),
                            b.syn(), b.client(testgen::tls_records(testgen::client_hello({"second.example"})))};
  Dissector d;
  auto got = test::summary(test::run(d, testgen::Link::Raw, frames));
  EXPECT_EQ(got, (std::vector<std::string>{"connection 10.0.0.2", "tls first.example",
                                           "connection 10.0.0.2", "tls second.example"}));
}

TEST(DissectQuic, CorruptInitialIsADropAndAConnection) {
  auto frames = quic_frames({"c.example.com"}, {});
  frames[0][28 + 100] ^= 0x01; // a ciphertext byte: authentication fails
  Dissector d;
  auto out = test::run(d, testgen::Link::Raw, frames);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, ObservationKind::Connection);
  EXPECT_EQ(out[0].note, "quic");
  EXPECT_EQ(d.drops().at("bad-quic"), 1u);
}

TEST(DissectFlows, EvictionIsBoundedAndCountsUnfinishedFlows) {
  Limits l;
  l.max_flows = 64;
  Dissector d(l);
  std::vector<Observation> out;
  Bytes rec = testgen::tls_records(testgen::client_hello({"never.example.com"}));
  std::int64_t t = 1;
  for (int i = 0; i < 1000; ++i) { // each flow sends only the start of its hello
    testgen::TcpFlow f({"10.0.0.1", "10.0.0.2", static_cast<std::uint16_t>(1000 + i), 443}, 1, 1);
    d.packet(LinkType::Raw, f.client(Bytes(rec.begin(), rec.begin() + 40)), ++t, out);
  }
  EXPECT_GT(d.evicted_unfinished(), 800u);
  EXPECT_TRUE(out.empty());
}

TEST(DissectFlows, IdleFlowsAreForgotten) {
  Limits l;
  l.flow_idle_us = 1000000;
  l.max_flows = 16; // sweeps wait for capacity/16 packets
  Dissector d(l);
  std::vector<Observation> out;
  Bytes rec = testgen::tls_records(testgen::client_hello({"idle.example.com"}));
  testgen::TcpFlow f({"10.0.0.1", "10.0.0.2", 2000, 443}, 1, 1);
  d.packet(LinkType::Raw, f.client(Bytes(rec.begin(), rec.begin() + 40)), 1, out);
  testgen::TcpFlow g({"10.0.0.3", "10.0.0.2", 2001, 443}, 1, 1);
  for (std::int64_t t = 2; t < 5000000; t += 100000) d.packet(LinkType::Raw, g.ack(), t, out);
  EXPECT_EQ(d.evicted_unfinished(), 1u);
}

TEST(DissectFlows, GlobalBufferBudgetShedsOldestCollectors) {
  Limits l;
  l.max_buffered_bytes = 64 * 1024;
  Dissector d(l);
  std::vector<Observation> out;
  testgen::HelloOptions o{"late.example.com"};
  o.padding = 8000;
  o.sni_last = true;
  Bytes rec = testgen::tls_records(testgen::client_hello(o));
  std::int64_t t = 1;
  for (int i = 0; i < 100; ++i) {
    testgen::TcpFlow f({"10.0.0.1", "10.0.0.2", static_cast<std::uint16_t>(3000 + i), 443}, 1, 1);
    d.packet(LinkType::Raw, f.client(Bytes(rec.begin(), rec.begin() + 4000)), ++t, out);
  }
  EXPECT_GT(d.evicted_unfinished(), 50u);
}

TEST(DissectFlows, TableFindInsertEraseKeepProbeChainsIntact) {
  FlowTable table(8, 1000);
  std::vector<FlowKey> keys;
  for (std::uint16_t i = 0; i < 8; ++i) {
    FlowKey k;
    k.src_port = i;
    keys.push_back(k);
    ASSERT_NE(table.insert(k, k.hash(), 1), nullptr);
  }
  table.erase(table.find(keys[3], keys[3].hash()));
  for (std::size_t i = 0; i < keys.size(); ++i)
    EXPECT_EQ(table.find(keys[i], keys[i].hash()) != nullptr, i != 3) << i;
  FlowKey extra;
  extra.src_port = 100;
  (void)table.insert(extra, extra.hash(), 2);
  (void)table.insert(keys[3], keys[3].hash(), 3); // full: the oldest eighth is evicted
  EXPECT_LE(table.size(), 8u);
  EXPECT_NE(table.find(keys[3], keys[3].hash()), nullptr);
}

TEST(DissectFlows, TableStartsSmallAndGrowsToItsLimit) {
  FlowTable table(65536, 1000);
  EXPECT_EQ(table.capacity(), FlowTable::k_initial_slots) << "no flow seen yet: no 9 MB table";
  EXPECT_EQ(table.max_capacity(), 131072u);
  std::vector<FlowKey> keys;
  for (std::uint32_t i = 0; i < 5000; ++i) {
    FlowKey k;
    k.src_port = static_cast<std::uint16_t>(i);
    k.dst_port = static_cast<std::uint16_t>(i >> 16);
    keys.push_back(k);
    ASSERT_NE(table.insert(k, k.hash(), 1), nullptr);
  }
  EXPECT_EQ(table.size(), 5000u);
  EXPECT_GE(table.capacity(), 10000u);
  EXPECT_LE(table.capacity(), 16384u);
  for (const auto& k : keys) EXPECT_NE(table.find(k, k.hash()), nullptr);
}

TEST(DissectFlows, SweepInPlaceKeepsTheRestFindable) {
  FlowTable table(4096, 1000);
  std::vector<FlowKey> keys;
  for (std::uint16_t i = 0; i < 3000; ++i) {
    FlowKey k;
    k.src_port = i;
    keys.push_back(k);
    // Every third flow stays active; the others go idle.
    ASSERT_NE(table.insert(k, k.hash(), i % 3 == 0 ? 5000 : 1), nullptr);
  }
  table.sweep(5500);
  EXPECT_EQ(table.size(), 1000u);
  for (std::size_t i = 0; i < keys.size(); ++i)
    EXPECT_EQ(table.find(keys[i], keys[i].hash()) != nullptr, i % 3 == 0) << i;
}

TEST(DissectFlows, FullTableEvictsTheOldestEighthInPlace) {
  FlowTable table(1024, 1000000);
  std::vector<FlowKey> keys;
  for (std::uint16_t i = 0; i < 1024; ++i) {
    FlowKey k;
    k.src_port = i;
    keys.push_back(k);
    ASSERT_NE(table.insert(k, k.hash(), 1000 + i), nullptr);
  }
  FlowKey extra;
  extra.dst_port = 1;
  ASSERT_NE(table.insert(extra, extra.hash(), 5000), nullptr);
  EXPECT_EQ(table.size(), 1024u - 128u + 1u);
  for (std::size_t i = 0; i < keys.size(); ++i)
    EXPECT_EQ(table.find(keys[i], keys[i].hash()) != nullptr, i >= 128) << i;
}

} // namespace
} // namespace netmap::dissect
