#include "netmap/capture/offline_filter.hpp"

#include "netmap/dissect/dissector.hpp"

#include <pcap/pcap.h>

namespace netmap::capture {

struct OfflineFilter::Program {
  std::uint32_t linktype = 0;
  bool pass_all = false; ///< a link type netmap does not read: its packets go on to be counted
  bpf_program code{};
  ~Program() {
    if (!pass_all) pcap_freecode(&code);
  }
};

OfflineFilter::OfflineFilter(std::string expression) : m_expression(std::move(expression)) {}
OfflineFilter::~OfflineFilter() = default;

const OfflineFilter::Program* OfflineFilter::find(std::uint32_t linktype) const noexcept {
  for (const auto& p : m_programs)
    if (p->linktype == linktype) return p.get();
  return nullptr;
}

bool OfflineFilter::prepared(std::uint32_t linktype) const noexcept { return find(linktype) != nullptr; }

bool OfflineFilter::prepare(std::uint32_t linktype, std::string& error) {
  if (prepared(linktype)) return true;
  auto p = std::make_unique<Program>();
  p->linktype = linktype;
  if (!dissect::supported_link(linktype)) {
    p->pass_all = true;
    m_programs.push_back(std::move(p));
    return true;
  }
  // pcap_open_dead() takes a DLT_ value: they equal LINKTYPE_ values except raw IP's.
  const int dlt = linktype == static_cast<std::uint32_t>(dissect::LinkType::Raw) ? DLT_RAW : static_cast<int>(linktype);
  pcap_t* dead = pcap_open_dead(dlt, 262144);
  if (dead == nullptr) {
    error = "cannot compile a filter for link type " + std::to_string(linktype);
    return false;
  }
  const bool ok = pcap_compile(dead, &p->code, m_expression.c_str(), 1, PCAP_NETMASK_UNKNOWN) == 0;
  if (!ok) error = pcap_geterr(dead);
  pcap_close(dead);
  if (!ok) {
    p->pass_all = true; // nothing compiled, nothing to free
    return false;
  }
  m_programs.push_back(std::move(p));
  return true;
}

bool OfflineFilter::matches(const PcapRecord& r) const noexcept {
  const Program* p = find(r.linktype);
  if (p == nullptr || p->pass_all) return true;
  pcap_pkthdr h{};
  h.caplen = static_cast<bpf_u_int32>(r.bytes.size());
  h.len = r.wire_len < h.caplen ? h.caplen : r.wire_len;
  return pcap_offline_filter(&p->code, &h, r.bytes.data()) != 0;
}

} // namespace netmap::capture
