// netmap's own pcapng reader: interfaces of different link types in one file (dumpcap -i lo -i
// tun0), timestamp resolutions and offsets, sections in either byte order, every packet block
// type, skipped blocks, files cut short, corrupt blocks, and --filter over mixed link types.

#include "netmap/base/error.hpp"
#include "netmap/capture/packet_source.hpp"
#include "netmap/capture/pcapng_file.hpp"
#include "netmap/capture/session.hpp"

#include "message_builder.hpp"
#include "pcap_writer.hpp"
#include "pcapng_builder.hpp"

#include "unit/scratch_dir_helpers.hpp"

#include <pcap/pcap.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

using namespace netmap;
using namespace netmap::testgen;

namespace {

struct Seen {
  std::vector<capture::PacketSource::Packet> packets;
  std::vector<Bytes> bytes;
  static void on(void* self, const capture::PacketSource::Packet& p) {
    auto* s = static_cast<Seen*>(self);
    s->packets.push_back(p);
    s->bytes.emplace_back(p.bytes.begin(), p.bytes.end());
  }
};

Seen drain(capture::PacketSource& src) {
  Seen s;
  while (src.dispatch(100, &Seen::on, &s) >= 0) {
  }
  return s;
}

// A TLS ClientHello for `sni` on a new connection, as one IP packet.
Bytes hello_packet(const std::string& sni, std::uint16_t sport) {
  TcpFlow f({"10.0.0.1", "10.0.0.2", sport, 443}, 100, 200);
  (void)f.syn();
  return f.client(tls_records(client_hello({sni})));
}

// The audit's G_multi.pcapng, made here: interface 0 Ethernet (lo), interface 1 raw IP (tun0).
PcapngBuilder two_interfaces() {
  PcapngBuilder b;
  b.section().interface({Link::Ethernet}).interface({Link::Raw});
  b.enhanced(0, 1700000000000001, frame(Link::Ethernet, hello_packet("lo.example.test", 40000)));
  b.enhanced(1, 1700000000000002, frame(Link::Raw, hello_packet("tun.example.test", 40001)));
  return b;
}

// The total length of a little-endian file's last block (its trailing length field).
std::size_t last_block_size(const Bytes& file) {
  const std::size_t n = file.size();
  return file[n - 4] | file[n - 3] << 8 | file[n - 2] << 16 | std::size_t{file[n - 1]} << 24;
}

TEST(PcapngFile, EachPacketHasItsOwnInterfacesLinkType) {
  const std::string path = test::scratch_file("multi.pcapng");
  two_interfaces().save(path);
  auto src = capture::PacketSource::open_file(path, "");
  EXPECT_EQ(src.linktype(), 1u);
  Seen s = drain(src);
  ASSERT_EQ(s.packets.size(), 2u);
  EXPECT_EQ(s.packets[0].linktype, 1u);
  EXPECT_EQ(s.packets[1].linktype, 101u);
  EXPECT_EQ(s.packets[1].time_us, 1700000000000002);
  EXPECT_EQ(src.cut_short(), "");
}

TEST(PcapngFile, DiscoverFindsTheNamesOnEveryInterface) {
  const std::string path = test::scratch_file("multi-session.pcapng");
  two_interfaces().save(path);
  capture::Session session({});
  auto src = capture::PacketSource::open_file(path, "");
  session.read(src, {});
  auto inv = session.finish();
  std::vector<std::string> names;
  for (const auto& [name, record] : inv.domains) names.push_back(name);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"lo.example.test", "tun.example.test"}));
  EXPECT_EQ(inv.stat("undecodable.unsupported-link"), 0u);
}

TEST(PcapngFile, FilterIsCompiledForEachLinkType) {
  const std::string path = test::scratch_file("multi-filter.pcapng");
  PcapngBuilder b = two_interfaces();
  TcpFlow other({"10.0.0.1", "10.0.0.3", 40002, 80}, 1, 1);
  b.enhanced(1, 1700000000000003, frame(Link::Raw, other.syn()));
  b.save(path);
  auto src = capture::PacketSource::open_file(path, "tcp port 443");
  Seen s = drain(src);
  ASSERT_EQ(s.packets.size(), 2u);
  EXPECT_EQ(s.packets[0].linktype, 1u);
  EXPECT_EQ(s.packets[1].linktype, 101u);
  EXPECT_THROW((void)capture::PacketSource::open_file(path, "tcp port"), base::UserError);
}

TEST(PcapngFile, ResolutionsOffsetsByteOrdersAndBlockTypes) {
  const Bytes pkt = frame(Link::Raw, hello_packet("x.example.test", 40003));
  const Bytes note{1, 2, 3, 4, 5};
  PcapngBuilder b;
  b.section(true) // big-endian: nanoseconds, then 2^-20 s with a one-hour offset
      .interface({Link::Raw, 262144, 9, 0})
      .interface({Link::Raw, 262144, 0x80 | 20, 3600})
      .other(5, note) // an Interface Statistics Block: skipped
      .enhanced(0, 1700000000123456789ull, pkt)
      .enhanced(1, std::uint64_t{1700000000} << 20 | (1u << 19), pkt) // .5 s
      .obsolete(0, 1700000001000000000ull, pkt)
      .section(false) // a new section, little-endian: interface IDs start again
      .interface({Link::Ethernet, 60, 3, 0}) // milliseconds, 60-byte snapshot
      .simple(frame(Link::Ethernet, hello_packet("y.example.test", 40004)))
      .enhanced(0, 1700000002001, frame(Link::Ethernet, hello_packet("z.example.test", 40005)))
      .other(0x40000bad, note); // a custom block at the very end
  const std::string path = test::scratch_file("kinds.pcapng");
  b.save(path);
  auto f = capture::PcapngFile::open(path);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->first_linktypes(), (std::vector<std::uint32_t>{101, 101}));
  auto src = capture::PacketSource::open_file(path, "");
  Seen s = drain(src);
  ASSERT_EQ(s.packets.size(), 5u);
  EXPECT_EQ(s.packets[0].time_us, 1700000000123456);
  EXPECT_EQ(s.packets[1].time_us, (1700000000 + 3600) * std::int64_t{1000000} + 500000);
  EXPECT_EQ(s.packets[2].time_us, 1700000001000000);
  EXPECT_EQ(s.bytes[0], pkt);
  EXPECT_EQ(s.packets[3].linktype, 1u);
  EXPECT_EQ(s.packets[3].bytes.size(), 60u);                 // cut to the interface's snapshot
  EXPECT_EQ(s.packets[3].time_us, s.packets[2].time_us);     // a Simple Packet Block has no time
  EXPECT_EQ(s.packets[4].time_us, 1700000002001000);
}

TEST(PcapngFile, SameAsLibpcapOnASingleLinkTypeFile) {
  const std::string path = test::scratch_file("single.pcapng");
  {
    PcapWriter w(path, Link::Ethernet, CaptureFormat::Pcapng);
    for (int i = 0; i < 500; ++i) {
      Bytes f = frame(Link::Ethernet, hello_packet("s" + std::to_string(i) + ".example.test", static_cast<std::uint16_t>(30000 + i)));
      w.write(1700000000000000 + i * 1237, f);
    }
    w.close();
  }
  auto src = capture::PacketSource::open_file(path, "");
  Seen ours = drain(src);
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p = pcap_open_offline(path.c_str(), err);
  ASSERT_NE(p, nullptr) << err;
  std::vector<std::pair<std::int64_t, Bytes>> theirs;
  pcap_pkthdr* h = nullptr;
  const u_char* data = nullptr;
  while (pcap_next_ex(p, &h, &data) == 1)
    theirs.emplace_back(std::int64_t{h->ts.tv_sec} * 1000000 + h->ts.tv_usec, Bytes(data, data + h->caplen));
  pcap_close(p);
  ASSERT_EQ(ours.packets.size(), theirs.size());
  for (std::size_t i = 0; i < theirs.size(); ++i) {
    EXPECT_EQ(ours.packets[i].time_us, theirs[i].first) << i;
    EXPECT_EQ(ours.bytes[i], theirs[i].second) << i;
  }
}

TEST(PcapngFile, CutShortEndsAtTheLastWholePacket) {
  const std::string path = test::scratch_file("cut-multi.pcapng");
  PcapngBuilder b = two_interfaces();
  b.save(path);
  std::filesystem::resize_file(path, b.bytes().size() - 10);
  auto src = capture::PacketSource::open_file(path, "");
  Seen s = drain(src);
  EXPECT_EQ(s.packets.size(), 1u);
  EXPECT_EQ(src.cut_short().rfind("truncated pcapng dump file;", 0), 0u) << src.cut_short();
  // Cut inside the last block's header, and inside the interfaces before any packet (SHB 28
  // bytes, each IDB 24).
  const std::size_t last = b.bytes().size() - last_block_size(b.bytes());
  for (std::uintmax_t size : {std::uintmax_t{last + 5}, std::uintmax_t{28 + 24 + 6}}) {
    b.save(path);
    std::filesystem::resize_file(path, size);
    auto again = capture::PacketSource::open_file(path, "");
    (void)drain(again);
    EXPECT_EQ(again.cut_short().rfind("truncated pcapng dump file;", 0), 0u) << size << ": " << again.cut_short();
  }
}

TEST(PcapngFile, CorruptBlocksAreErrorsThatSaySo) {
  auto expect_corrupt = [](const Bytes& file, const std::string& words) {
    const std::string path = test::scratch_file("corrupt.pcapng");
    {
      std::ofstream f(path, std::ios::binary);
      f.write(reinterpret_cast<const char*>(file.data()), static_cast<std::streamsize>(file.size()));
    }
    try {
      auto src = capture::PacketSource::open_file(path, "");
      (void)drain(src);
      ADD_FAILURE() << "no error for " << words;
    } catch (const base::UserError& e) {
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
      EXPECT_EQ(e.hint(), "the file is corrupt; nothing was written");
    }
  };
  // SHB (28 bytes), IDB (24), then the EPB at 52: its length at 56, its caplen at 72.
  PcapngBuilder one;
  one.section().interface({Link::Raw}).enhanced(0, 1, Bytes(40, 0x45));
  Bytes bad_length = one.bytes();
  bad_length[56] ^= 0x01;
  expect_corrupt(bad_length, "not a multiple of 4)");
  Bytes huge = one.bytes();
  huge[72 + 2] = 0x10;
  expect_corrupt(huge, "invalid packet capture length");
  PcapngBuilder nowhere;
  nowhere.section().interface({Link::Raw}).enhanced(7, 1, Bytes(40, 0x45));
  expect_corrupt(nowhere.bytes(), "interface 7");
}

TEST(PcapngFile, UnsupportedInterfacesAreCountedNotFatal) {
  PcapngBuilder b;
  b.section().interface({static_cast<Link>(147)}).interface({Link::Raw});
  b.enhanced(0, 1, Bytes(30, 0));
  b.enhanced(1, 2, hello_packet("ok.example.test", 40006));
  const std::string path = test::scratch_file("partly.pcapng");
  b.save(path);
  capture::Session session({});
  auto src = capture::PacketSource::open_file(path, "");
  EXPECT_EQ(src.linktype(), 101u);
  session.read(src, {});
  auto inv = session.finish();
  ASSERT_EQ(inv.domains.size(), 1u);
  EXPECT_EQ(inv.stat("undecodable.unsupported-link"), 1u);
  PcapngBuilder only;
  only.section().interface({static_cast<Link>(147)}).enhanced(0, 1, Bytes(30, 0));
  only.save(path);
  EXPECT_THROW((void)capture::PacketSource::open_file(path, ""), base::UserError);
}

} // namespace
