// Dissector throughput on generator-built traffic: bulk payload of classified flows (the hot
// path), DNS answers, TLS ClientHellos, QUIC Initials, the realistic bulk mix, and optionally a
// whole pcap file (NETMAP_DISSECT_PCAP=FILE) read the way libpcap reads it, for the tcpdump ratio.

#include "bulk_mix.hpp"
#include "message_builder.hpp"
#include "netmap/dissect/dissector.hpp"
#include "quic_builder.hpp"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unistd.h>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace netmap;
using testgen::Bytes;
using testgen::Link;

struct Frames {
  std::vector<Bytes> frames;
  std::vector<Bytes> warmup; ///< sent once before timing (handshakes that classify the flows)
};

void feed(benchmark::State& state, const Frames& f, dissect::Limits limits = {}) {
  dissect::Dissector d(limits);
  std::vector<dissect::Observation> out;
  std::int64_t t = 1767225600000000;
  for (const auto& w : f.warmup) d.packet(dissect::LinkType::Ethernet, w, t += 10, out);
  out.clear();
  std::size_t names = 0;
  for (auto _ : state) {
    for (const auto& fr : f.frames) d.packet(dissect::LinkType::Ethernet, fr, t += 10, out);
    names += out.size();
    out.clear();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * f.frames.size()));
  state.counters["obs_per_pkt"] = benchmark::Counter(
      static_cast<double>(names) / static_cast<double>(state.iterations() * f.frames.size()));
}

// Every iteration replays the same new flows, so each gets a fresh dissector (built untimed).
void feed_fresh(benchmark::State& state, const Frames& f) {
  dissect::Limits limits;
  limits.max_flows = 16384;
  std::vector<dissect::Observation> out;
  std::int64_t t = 1767225600000000;
  std::size_t names = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto d = std::make_unique<dissect::Dissector>(limits);
    out.clear();
    state.ResumeTiming();
    for (const auto& fr : f.frames) d->packet(dissect::LinkType::Ethernet, fr, t += 10, out);
    names += out.size();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * f.frames.size()));
  state.counters["obs_per_pkt"] = benchmark::Counter(
      static_cast<double>(names) / static_cast<double>(state.iterations() * f.frames.size()));
}

Frames bulk_frames() {
  Frames f;
  Bytes payload(1400, 0x17);
  for (int i = 0; i < 48; ++i) {
    testgen::TcpFlow flow({"10.0.0.2", "93.184.216." + std::to_string(i), static_cast<std::uint16_t>(40000 + i), 443}, 1, 1);
    f.warmup.push_back(testgen::frame(Link::Ethernet, flow.syn()));
    f.warmup.push_back(testgen::frame(Link::Ethernet, flow.client(testgen::tls_records(testgen::client_hello({"bulk.example"})))));
    f.warmup.push_back(testgen::frame(Link::Ethernet, flow.server(payload)));
    for (int k = 0; k < 64; ++k) f.frames.push_back(testgen::frame(Link::Ethernet, flow.server(payload)));
  }
  return f;
}

void BM_BulkClassified(benchmark::State& state) {
  static const Frames f = bulk_frames();
  feed(state, f);
}
BENCHMARK(BM_BulkClassified);

void BM_DnsAnswer(benchmark::State& state) {
  static const Frames f = [] {
    Frames r;
    for (int i = 0; i < 256; ++i) {
      std::string name = "host" + std::to_string(i) + ".example.com";
      r.frames.push_back(testgen::frame(Link::Ethernet, testgen::udp_packet(
          {"10.0.0.53", "10.0.0.2", 53, static_cast<std::uint16_t>(30000 + i)},
          testgen::DnsBuilder::response(static_cast<std::uint16_t>(i), name, testgen::k_rr_a,
              testgen::cname_chain(name, {"edge.cdn.example.net"}, {"192.0.2.1", "192.0.2.2"})))));
    }
    return r;
  }();
  feed(state, f);
}
BENCHMARK(BM_DnsAnswer);

void BM_TlsClientHello(benchmark::State& state) {
  static const Frames f = [] {
    Frames r;
    for (int i = 0; i < 4096; ++i) {
      testgen::TcpFlow flow({"10.0.0.2", "198.51.100.1", static_cast<std::uint16_t>(1024 + i), 443}, 1, 1);
      r.frames.push_back(testgen::frame(Link::Ethernet, flow.syn()));
      r.frames.push_back(testgen::frame(Link::Ethernet, flow.client(testgen::tls_records(
          testgen::client_hello({"tls" + std::to_string(i) + ".example.org"})))));
      r.frames.push_back(testgen::frame(Link::Ethernet, flow.client_fin()));
    }
    return r;
  }();
  feed_fresh(state, f);
}
BENCHMARK(BM_TlsClientHello);

void BM_QuicInitial(benchmark::State& state) {
  static const Frames f = [] {
    Frames r;
    for (int i = 0; i < 1024; ++i) {
      testgen::QuicOptions o;
      o.version = i % 2 == 0 ? 1 : 0x6b3343cf;
      o.dcid[0] = static_cast<std::uint8_t>(i);
      for (const auto& dg : testgen::quic_client_initials(testgen::client_hello({"quic" + std::to_string(i) + ".example"}), o))
        r.frames.push_back(testgen::frame(Link::Ethernet, testgen::udp_packet(
            {"10.0.0.2", "198.51.100.2", static_cast<std::uint16_t>(2000 + i), 443}, dg)));
    }
    return r;
  }();
  feed_fresh(state, f);
}
BENCHMARK(BM_QuicInitial);

// Reads a classic pcap in 1 MiB blocks (as libpcap's file reader does) and dissects each record.
std::uint64_t dissect_file(const std::string& path, dissect::Dissector& d) {
  std::FILE* fp = std::fopen(path.c_str(), "rb");
  if (fp == nullptr) return 0;
  std::vector<std::uint8_t> buf(1 << 20);
  std::vector<std::uint8_t> rec(1 << 18);
  std::uint8_t gh[24];
  if (std::fread(gh, 1, 24, fp) != 24) { std::fclose(fp); return 0; }
  std::uint32_t link;
  std::memcpy(&link, gh + 20, 4);
  std::setvbuf(fp, reinterpret_cast<char*>(buf.data()), _IOFBF, buf.size());
  std::vector<dissect::Observation> out;
  std::uint64_t n = 0;
  std::uint32_t h[4];
  while (std::fread(h, 1, 16, fp) == 16) {
    if (h[2] > rec.size() || std::fread(rec.data(), 1, h[2], fp) != h[2]) break;
    d.packet(static_cast<dissect::LinkType>(link), {rec.data(), h[2]},
             std::int64_t{h[0]} * 1000000 + h[1], out);
    out.clear();
    ++n;
  }
  std::fclose(fp);
  return n;
}

void BM_BulkMix(benchmark::State& state) {
  static const std::string path = [] {
    auto p = std::filesystem::temp_directory_path() / ("netmap-dissect-bench-" + std::to_string(::getpid()) + ".pcap");
    testgen::write_bulk({200000, 42, p.string(), "", false});
    return p.string();
  }();
  // Made after `path`, so destroyed before it: an atexit() registered while `path` was being
  // made ran after its destructor and removed nothing (240 MB left in /tmp a run).
  static const struct Remove {
    ~Remove() { std::filesystem::remove(path); }
  } remove_at_exit;
  std::uint64_t n = 0;
  for (auto _ : state) {
    dissect::Dissector d;
    n += dissect_file(path, d);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(n));
}
BENCHMARK(BM_BulkMix)->Unit(benchmark::kMillisecond);

void BM_PcapFile(benchmark::State& state) {
  const char* path = std::getenv("NETMAP_DISSECT_PCAP");
  std::uint64_t n = 0;
  for (auto _ : state) {
    dissect::Dissector d;
    n += dissect_file(path, d);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(n));
}

} // namespace

int main(int argc, char** argv) {
  if (std::getenv("NETMAP_DISSECT_PCAP") != nullptr)
    benchmark::RegisterBenchmark("BM_PcapFile", BM_PcapFile)->Unit(benchmark::kMillisecond)->Iterations(1);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
