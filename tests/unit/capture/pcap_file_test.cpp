// The mapped pcap reader against libpcap on the same files: same packets, same times, same
// failures. libpcap is called directly for the comparison (a --filter no longer sends a file to
// it: the filter runs over the mapped reader's records, which these tests also cover).

#include "netmap/base/error.hpp"
#include "netmap/capture/packet_source.hpp"
#include "netmap/capture/pcap_file.hpp"

#include "pcap_writer.hpp"

#include "unit/scratch_dir_helpers.hpp"

#include <pcap/pcap.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace netmap;
using namespace netmap::testgen;

namespace {

struct Seen {
  std::vector<std::pair<std::int64_t, std::vector<std::uint8_t>>> packets;
  static void on(void* self, const capture::PacketSource::Packet& p) {
    static_cast<Seen*>(self)->packets.emplace_back(p.time_us, std::vector<std::uint8_t>(p.bytes.begin(), p.bytes.end()));
  }
};

// Everything a source hands out, to its end (or the end of a file cut short).
Seen drain(capture::PacketSource& src) {
  Seen s;
  while (src.dispatch(100, &Seen::on, &s) >= 0) {
  }
  return s;
}

Seen read_all(const std::string& path, const std::string& filter) {
  auto src = capture::PacketSource::open_file(path, filter);
  return drain(src);
}

// What libpcap's own reader hands out, and the error that ended it ("" at a clean end).
struct LibpcapRead {
  Seen seen;
  std::string error;
};

LibpcapRead libpcap_read(const std::string& path) {
  LibpcapRead out;
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* p = pcap_open_offline(path.c_str(), err);
  if (p == nullptr) {
    out.error = err;
    return out;
  }
  pcap_pkthdr* h = nullptr;
  const u_char* data = nullptr;
  int rc = 0;
  while ((rc = pcap_next_ex(p, &h, &data)) == 1)
    out.seen.packets.emplace_back(std::int64_t{h->ts.tv_sec} * 1000000 + h->ts.tv_usec,
                                  std::vector<std::uint8_t>(data, data + h->caplen));
  if (rc == PCAP_ERROR) out.error = pcap_geterr(p);
  pcap_close(p);
  return out;
}

// Three raw-IP records of 200 bytes each: 24 + 3 × (16 + 200) bytes.
std::string three_records(const std::string& name) {
  const std::string path = test::scratch_file(name);
  PcapWriter w(path, Link::Raw);
  std::vector<std::uint8_t> frame(200, 0x45);
  for (int i = 0; i < 3; ++i) w.write(1700000000000000 + i, frame);
  w.close();
  return path;
}

void put32(std::string& out, std::uint32_t v, bool big) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>(big ? v >> (24 - 8 * i) : v >> (8 * i));
}

} // namespace

TEST(PcapFile, SameAsLibpcapAcrossManyWindows) {
  const std::string path = test::scratch_file("big.pcap");
  {
    PcapWriter w(path, Link::Raw);
    std::vector<std::uint8_t> frame(1400);
    for (int i = 0; i < 8000; ++i) { // ~11 MiB: the map slides several times
      frame[0] = 0x45;
      frame[1] = static_cast<std::uint8_t>(i);
      frame.resize(100 + static_cast<std::size_t>(i * 37 % 1400));
      w.write(1700000000000000 + i * 1000 + 7, frame);
    }
    w.close();
  }
  ASSERT_NE(capture::PcapFile::open(path), nullptr);
  Seen mapped = read_all(path, "");
  Seen lib = libpcap_read(path).seen;
  ASSERT_EQ(mapped.packets.size(), 8000u);
  EXPECT_TRUE(mapped.packets == lib.packets);
  EXPECT_TRUE(mapped.packets == read_all(path, "ip or not ip").packets); // the filter over mapped records
  std::filesystem::remove(path);
}

TEST(PcapFile, BigEndianNanosecondFilesToo) {
  std::string bytes;
  put32(bytes, 0xa1b23c4d, true);
  bytes += std::string("\x00\x02\x00\x04", 4);
  put32(bytes, 0, true);
  put32(bytes, 0, true);
  put32(bytes, 65535, true);
  put32(bytes, 101, true);
  for (std::uint32_t i = 0; i < 3; ++i) {
    put32(bytes, 1700000000 + i, true);
    put32(bytes, 123456789, true);
    put32(bytes, 20, true);
    put32(bytes, 20, true);
    bytes += std::string(20, static_cast<char>(0x45 + i));
  }
  const std::string path = test::scratch_file("be-ns.pcap");
  std::ofstream(path, std::ios::binary) << bytes;
  auto f = capture::PcapFile::open(path);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->linktype(), 101u);
  Seen mapped = read_all(path, "");
  ASSERT_EQ(mapped.packets.size(), 3u);
  EXPECT_EQ(mapped.packets[1].first, std::int64_t{1700000001} * 1000000 + 123456);
  EXPECT_TRUE(mapped.packets == libpcap_read(path).seen.packets);
  std::filesystem::remove(path);
}

// A file whose writer was killed ends partway through a record: both readers hand out every whole
// packet before it and say why it ended, in libpcap's words.
TEST(PcapFile, CutShortFilesEndAtTheirLastWholePacket) {
  const std::string path = three_records("cut.pcap");
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 50); // the last body cut
  for (const char* filter : {"", "ip or not ip"}) { // mapped, without and with a filter
    auto src = capture::PacketSource::open_file(path, filter);
    EXPECT_EQ(drain(src).packets.size(), 2u) << filter;
    EXPECT_EQ(src.cut_short(), "truncated dump file; tried to read 200 captured bytes, only got 150") << filter;
  }
  EXPECT_EQ(libpcap_read(path).seen.packets.size(), 2u);
  EXPECT_EQ(libpcap_read(path).error, "truncated dump file; tried to read 200 captured bytes, only got 150");
  std::filesystem::resize_file(path, 24 + 16 + 200 + 7); // the second record's header cut
  for (const char* filter : {"", "ip or not ip"}) {
    auto src = capture::PacketSource::open_file(path, filter);
    EXPECT_EQ(drain(src).packets.size(), 1u) << filter;
    EXPECT_EQ(src.cut_short().rfind("truncated dump file; tried to read 16 header bytes, only got 7", 0), 0u)
        << filter << ": " << src.cut_short();
  }
  EXPECT_EQ(libpcap_read(path).error.rfind("truncated dump file; tried to read 16 header bytes, only got 7", 0), 0u)
      << libpcap_read(path).error;
  std::filesystem::resize_file(path, 24 + 16 + 200); // ends between records: whole
  auto whole = capture::PacketSource::open_file(path, "");
  EXPECT_EQ(drain(whole).packets.size(), 1u);
  EXPECT_EQ(whole.cut_short(), "");
  std::filesystem::remove(path);
}

TEST(PcapFile, CutShortPcapngEndsAtItsLastWholeBlock) {
  const std::string path = test::scratch_file("cut.pcapng");
  {
    PcapWriter w(path, Link::Ethernet, CaptureFormat::Pcapng);
    std::vector<std::uint8_t> frame(200, 0);
    for (int i = 0; i < 3; ++i) w.write(1700000000000000 + i, frame);
    w.close();
  }
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 50);
  auto src = capture::PacketSource::open_file(path, "");
  EXPECT_EQ(drain(src).packets.size(), 2u);
  EXPECT_EQ(src.cut_short().rfind("truncated pcapng dump file;", 0), 0u) << src.cut_short();
  std::filesystem::remove(path);
}

// Corruption inside the file is not a cut: an impossible record length fails the read.
TEST(PcapFile, CorruptRecordLengthsFailAsWithLibpcap) {
  const std::string path = three_records("corrupt.pcap");
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(24 + 16 + 200 + 8); // the second record's caplen (little-endian, as written here)
    const char huge[4] = {0, 0, 0x10, 0}; // 1 MiB, over libpcap's 256 KiB maximum
    f.write(huge, 4);
  }
  for (const char* filter : {"", "ip or not ip"}) {
    try {
      read_all(path, filter);
      ADD_FAILURE() << "no error for " << filter;
    } catch (const base::UserError& e) {
      EXPECT_NE(std::string(e.what()).find("cannot read capture: invalid packet capture length 1048576"), std::string::npos)
          << e.what();
    }
  }
  EXPECT_NE(libpcap_read(path).error.find("invalid packet capture length 1048576"), std::string::npos)
      << libpcap_read(path).error;
  std::filesystem::remove(path);
}

TEST(PcapFile, OtherFormatsAreLeftToLibpcap) {
  const std::string path = test::scratch_file("x.pcapng");
  {
    PcapWriter w(path, Link::Ethernet, CaptureFormat::Pcapng);
    w.close();
  }
  EXPECT_EQ(capture::PcapFile::open(path), nullptr);
  EXPECT_EQ(capture::PcapFile::open("-"), nullptr);
  EXPECT_EQ(capture::PcapFile::open(test::scratch_file("missing.pcap")), nullptr);
  std::filesystem::remove(path);
}

// A file cut short while it is read must end in an error, not in SIGBUS on a mapped page past
// its new end.
TEST(PcapFile, AFileThatShrinksWhileReadIsAnErrorNotACrash) {
  const std::string path = test::scratch_file("shrinks.pcap");
  {
    PcapWriter w(path, Link::Raw);
    std::vector<std::uint8_t> frame(1400, 0x45);
    for (int i = 0; i < 8000; ++i) w.write(1700000000000000 + i, frame); // ~11 MiB: several windows
    w.close();
  }
  auto f = capture::PcapFile::open(path);
  ASSERT_NE(f, nullptr);
  capture::PcapRecord rec;
  ASSERT_EQ(f->next(rec), capture::PcapFile::Status::Packet);
  std::filesystem::resize_file(path, 6u << 20);
  int packets = 1;
  capture::PcapFile::Status st;
  while ((st = f->next(rec)) == capture::PcapFile::Status::Packet) ++packets;
  EXPECT_EQ(st, capture::PcapFile::Status::Error);
  EXPECT_EQ(f->error(), "the file shrank while it was being read");
  EXPECT_LT(packets, 8000);
  std::filesystem::remove(path);
}
