#include "dissect_test_helpers.hpp"

namespace netmap::dissect::test {

std::vector<Observation> run(Dissector& d, testgen::Link link,
                             const std::vector<testgen::Bytes>& frames, std::int64_t t0) {
  std::vector<Observation> out;
  for (const auto& f : frames) d.packet(static_cast<LinkType>(link), f, t0 += 1000, out);
  return out;
}

std::vector<std::string> summary(const std::vector<Observation>& obs) {
  std::vector<std::string> s;
  for (const auto& o : obs) {
    std::string kind;
    switch (o.kind) {
    case ObservationKind::DnsQuery: kind = "dns-query"; break;
    case ObservationKind::DnsAnswer: kind = "dns-answer"; break;
    case ObservationKind::TlsSni: kind = "tls"; break;
    case ObservationKind::QuicSni: kind = "quic"; break;
    case ObservationKind::HttpHost: kind = "http-host"; break;
    case ObservationKind::HttpConnect: kind = "http-connect"; break;
    case ObservationKind::Connection: kind = "connection"; break;
    }
    std::string line = kind + " " + (o.kind == ObservationKind::Connection ? o.dst : o.name);
    if (!o.note.empty() && o.kind != ObservationKind::Connection) line += " " + o.note;
    s.push_back(line);
  }
  return s;
}

const Observation* find(const std::vector<Observation>& obs, ObservationKind kind,
                        const std::string& name) {
  for (const auto& o : obs)
    if (o.kind == kind && o.name == name) return &o;
  return nullptr;
}

} // namespace netmap::dissect::test
