// capture::Session throughput on in-memory frames (no libpcap): the per-packet cost of the whole
// discover pipeline — dissector, attribution, inventory — on a bulk-heavy mix and on a name-heavy
// one. Whole-process figures against tcpdump, nDPI and tshark: bench/discover-peers.sh.

#include "netmap/capture/session.hpp"

#include "message_builder.hpp"
#include "packet_builder.hpp"

#include <benchmark/benchmark.h>

using namespace netmap;
using namespace netmap::testgen;

namespace {

struct Mix {
  std::vector<Bytes> frames;
};

// `names` lookups+TLS connections interleaved with `bulk` full-sized data segments each.
Mix make_mix(int names, int bulk) {
  Mix m;
  Bytes payload(1400, 0x42);
  TcpFlow download({"10.0.0.2", "192.0.2.200", 50000, 443}, 1, 1);
  for (int i = 0; i < names; ++i) {
    std::string name = "host" + std::to_string(i) + ".bench.example";
    auto port = static_cast<std::uint16_t>(20000 + i % 40000);
    Endpoints dns{"10.0.0.2", "10.0.0.53", port, 53};
    m.frames.push_back(frame(Link::Ethernet, udp_packet(dns, DnsBuilder::query(1, name, k_rr_a))));
    TcpFlow flow({"10.0.0.2", "192.0.2." + std::to_string(i % 250 + 1), port, 443}, 7, 9);
    m.frames.push_back(frame(Link::Ethernet, flow.syn()));
    m.frames.push_back(frame(Link::Ethernet, flow.client(tls_records(client_hello({.sni = name})))));
    for (int b = 0; b < bulk; ++b) m.frames.push_back(frame(Link::Ethernet, download.server(payload, k_ack)));
  }
  return m;
}

void run(benchmark::State& state, const Mix& mix) {
  std::int64_t t = 1700000000000000;
  std::uint64_t n = 0;
  for (auto _ : state) {
    capture::Session session({});
    for (const auto& f : mix.frames) session.packet(dissect::LinkType::Ethernet, f, t += 10);
    benchmark::DoNotOptimize(session.finish_findings()); // what discover does: domains stay compact
    n += mix.frames.size();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(n));
}

void BM_SessionBulkMix(benchmark::State& state) {
  static const Mix mix = make_mix(200, 100); // ~1% of packets carry a name
  run(state, mix);
}
BENCHMARK(BM_SessionBulkMix);

void BM_SessionNameHeavy(benchmark::State& state) {
  static const Mix mix = make_mix(5000, 0); // every packet is a lookup, a SYN or a ClientHello
  run(state, mix);
}
BENCHMARK(BM_SessionNameHeavy);

} // namespace

BENCHMARK_MAIN();
