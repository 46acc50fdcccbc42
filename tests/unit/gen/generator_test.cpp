// The generator's writers and its bulk mix: files parse back, and every ground-truth name of a
// small bulk capture is found by the dissector.

#include "bulk_mix.hpp"
#include "message_builder.hpp"
#include "netmap/dissect/dissector.hpp"
#include "pcap_writer.hpp"

#include "unit/scratch_dir_helpers.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include <unistd.h>

namespace netmap::testgen {
namespace {

// Files in one directory for the whole binary, removed at exit even when a test stopped midway.
std::filesystem::path temp(const std::string& name) {
  static const netmap::test::ScratchDir dir;
  return dir.file(name);
}

Bytes slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::uint32_t le32(const Bytes& b, std::size_t at) {
  std::uint32_t v;
  std::memcpy(&v, b.data() + at, 4);
  return v;
}

TEST(GenPcapWriter, PcapRecordsAndSnaplen) {
  auto path = temp("a.pcap");
  PcapWriter w(path.string(), Link::Raw, CaptureFormat::Pcap, 100);
  EXPECT_FALSE(std::filesystem::exists(path)); // only a temporary until close()
  w.write(1500000, Bytes(60, 1));
  w.write(2500000, Bytes(300, 2));
  w.close();
  Bytes f = slurp(path);
  ASSERT_EQ(f.size(), 24u + 16 + 60 + 16 + 100);
  EXPECT_EQ(le32(f, 0), 0xa1b2c3d4u);
  EXPECT_EQ(le32(f, 16), 100u);   // snaplen
  EXPECT_EQ(le32(f, 20), 101u);   // LINKTYPE_RAW
  EXPECT_EQ(le32(f, 24), 1u);     // seconds
  EXPECT_EQ(le32(f, 28), 500000u);
  EXPECT_EQ(le32(f, 24 + 16 + 60 + 8), 100u); // incl_len cut to the snaplen
  EXPECT_EQ(le32(f, 24 + 16 + 60 + 12), 300u); // orig_len kept
  std::filesystem::remove(path);
}

TEST(GenPcapWriter, PcapngBlocksArePaddedAndLengthsMatch) {
  auto path = temp("b.pcapng");
  PcapWriter w(path.string(), Link::Ethernet, CaptureFormat::Pcapng);
  w.write(7, Bytes(61, 3));
  w.close();
  Bytes f = slurp(path);
  ASSERT_EQ(f.size(), 28u + 20 + 32 + 64);
  EXPECT_EQ(le32(f, 0), 0x0a0d0d0au);
  EXPECT_EQ(le32(f, 28), 1u); // IDB
  std::size_t epb = 48;
  EXPECT_EQ(le32(f, epb), 6u);
  EXPECT_EQ(le32(f, epb + 4), 96u);
  EXPECT_EQ(le32(f, epb + 92), 96u); // trailing length equals the leading one
  std::filesystem::remove(path);
}

TEST(GenBulk, EveryTruthNameIsFoundByTheDissector) {
  auto cap = temp("bulk.pcap");
  auto truth = temp("bulk.json");
  BulkStats st = write_bulk({20000, 3, cap.string(), truth.string(), false});
  EXPECT_EQ(st.packets, 20000u);
  EXPECT_GT(st.names, 100u);
  Bytes f = slurp(cap);
  dissect::Dissector d;
  std::vector<dissect::Observation> out;
  std::set<std::string> found;
  std::uint64_t packets = 0;
  for (std::size_t at = 24; at + 16 <= f.size();) {
    std::uint32_t incl = le32(f, at + 8);
    d.packet(dissect::LinkType::Ethernet, std::span(f).subspan(at + 16, incl), ++packets, out);
    at += 16 + incl;
  }
  for (const auto& o : out) {
    found.insert(o.name);
    found.insert(o.cname_chain.begin(), o.cname_chain.end());
    found.insert(o.svcb_targets.begin(), o.svcb_targets.end());
  }
  EXPECT_EQ(packets, 20000u);
  EXPECT_TRUE(d.drops().empty());
  std::ifstream t(truth);
  std::string line;
  std::size_t names = 0;
  while (std::getline(t, line)) {
    auto a = line.find("\"name\": \"");
    if (a == std::string::npos) continue;
    a += 9;
    std::string name = line.substr(a, line.find('"', a) - a);
    ++names;
    EXPECT_TRUE(found.count(name)) << name;
  }
  EXPECT_EQ(names, st.names);
  std::filesystem::remove(cap);
  std::filesystem::remove(truth);
}

} // namespace
} // namespace netmap::testgen
