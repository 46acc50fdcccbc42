#include "netmap/report/replay_sink.hpp"

namespace netmap::report {

namespace {

bool refused(const inventory::Event& e) {
  return e.via == inventory::SeenVia::Direct || e.verdict != "allowed" || e.status == 403;
}

} // namespace

ReplaySink::ReplaySink(const policy::Matcher* matcher, std::uint16_t dns_port, std::uint16_t proxy_port,
                       const std::string& events_path, std::string policy_name)
    : m_collector(matcher, std::move(policy_name)), m_dns_port(dns_port), m_proxy_port(proxy_port) {
  if (!events_path.empty()) m_log.emplace(events_path);
}

void ReplaySink::attribute(inventory::Event& e, std::uint16_t server_port) const {
  // Only refusals pay for the walk of /proc.
  if (!refused(e) || e.pid != 0 || !m_owners) return;
  // A UDP client need not connect its socket, so its remote port may read 0: the local one decides.
  const bool udp = e.transport == "udp";
  auto owner = m_owners->find(udp ? "udp" : "tcp", sandbox::port_of(e.client), udp ? 0 : server_port);
  if (!owner) return;
  e.pid = owner->pid;
  e.command = owner->command;
}

void ReplaySink::add(inventory::Event e) {
  // The resolver emits before it replies, so its client is still there to be found.
  if (e.via == inventory::SeenVia::Resolver) attribute(e, m_dns_port);
  e.producer = "replay";
  m_collector.add(e);
  // The suite is not stopped for a file beside the report: a failed log is dropped whole, and
  // finish_events() reports it.
  std::lock_guard lock(m_mu);
  if (m_log) m_log->try_write(e);
}

void ReplaySink::add_direct(const sandbox::DirectAttempt& a) {
  inventory::Event e;
  e.time_us = a.time_us;
  e.via = inventory::SeenVia::Direct;
  e.name = m_collector.name_for_address(a.destination);
  e.address = a.destination;
  e.port = a.port;
  e.transport = a.transport;
  e.client = (a.source.find(':') != std::string::npos ? "[" + a.source + "]" : a.source) + ":" + std::to_string(a.source_port);
  const bool ping = a.transport == "icmp";
  e.note = a.dns ? "direct dns query" : ping ? "direct ping" : "direct connection";
  if (ping) e.client = e.client.substr(0, e.client.rfind(':')); // an echo identifier is no port
  // As for the resolver's clients: an unconnected UDP socket (sendto) shows remote port 0.
  const std::uint16_t remote = a.transport == "udp" ? 0 : a.port;
  std::optional<sandbox::SocketOwner> owner;
  if (m_owners) {
    owner = m_owners->find(a.transport, a.source_port, remote);
    // ping(8) with privilege sends from a raw socket, listed by its protocol in /proc/net/raw.
    if (!owner && ping) owner = m_owners->find("raw", a.destination.find(':') != std::string::npos ? 58 : 1, 0);
  }
  if (owner) {
    e.pid = owner->pid;
    e.command = owner->command;
  }
  add(std::move(e));
}

void ReplaySink::finish_events() {
  std::lock_guard lock(m_mu);
  if (m_log) m_log->commit();
}

} // namespace netmap::report
