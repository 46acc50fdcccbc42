#include "netmap/capture/packet_source.hpp"

#include "netmap/base/error.hpp"
#include "netmap/base/text.hpp"
#include "netmap/capture/kernel_filter.hpp"

#include <pcap/pcap.h>

#include <utility>
#include <vector>

namespace netmap::capture {

namespace {

constexpr const char* k_grant_hint =
    "grant it once with: sudo setcap cap_net_raw,cap_net_admin+eip $(command -v netmap)  (or run as root); "
    "reading capture files with -r needs no privilege";

// libpcap's messages are ASCII prose that may quote the user's text: keep spaces readable and
// escape only what a terminal could misread.
std::string printable(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c >= 0x20 && c < 0x7f && c != '\\') out += c;
    else out += base::escape_bytes(std::string_view(&c, 1));
  }
  return out;
}

// pcap_datalink() answers in DLT_ values; they equal the LINKTYPE_ values the dissector speaks
// except DLT_RAW, whose number differs between platforms (12 or 14) while LINKTYPE_RAW is 101.
std::uint32_t to_linktype(int dlt) {
  if (dlt == DLT_RAW) return static_cast<std::uint32_t>(dissect::LinkType::Raw);
  return static_cast<std::uint32_t>(dlt);
}

bool is_loopback(const std::string& iface) {
  pcap_if_t* all = nullptr;
  char err[PCAP_ERRBUF_SIZE] = {};
  if (pcap_findalldevs(&all, err) != 0) return false;
  bool loop = false;
  for (pcap_if_t* d = all; d; d = d->next)
    if (iface == d->name) loop = (d->flags & PCAP_IF_LOOPBACK) != 0;
  pcap_freealldevs(all);
  return loop;
}

std::vector<std::string> interface_names() {
  std::vector<std::string> out;
  pcap_if_t* all = nullptr;
  char err[PCAP_ERRBUF_SIZE] = {};
  if (pcap_findalldevs(&all, err) != 0) return out;
  for (pcap_if_t* d = all; d; d = d->next) out.emplace_back(d->name);
  pcap_freealldevs(all);
  return out;
}

[[noreturn]] void live_error(pcap* p, int rc, const std::string& iface) {
  std::string detail = printable(pcap_geterr(p));
  pcap_close(p);
  if (rc == PCAP_ERROR_PERM_DENIED || rc == PCAP_ERROR_PROMISC_PERM_DENIED)
    throw base::UserError("live capture on '" + iface + "' needs the CAP_NET_RAW capability (" + detail + ")",
                          k_grant_hint);
  if (rc == PCAP_ERROR_NO_SUCH_DEVICE) {
    auto names = interface_names();
    auto near = base::closest(iface, names);
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    throw base::UserError("no network interface '" + base::escape_bytes(iface) + "'",
                          near.empty() ? "interfaces: " + list : "did you mean '" + near + "'?");
  }
  throw base::UserError("cannot capture on '" + base::escape_bytes(iface) + "': " + detail);
}

struct Trampoline {
  PacketSource::Handler handler;
  void* context;
};

extern "C" void on_pcap_packet(u_char* user, const pcap_pkthdr* h, const u_char* bytes) {
  auto* t = reinterpret_cast<Trampoline*>(user);
  PacketSource::Packet p{{bytes, h->caplen},
                         static_cast<std::int64_t>(h->ts.tv_sec) * 1000000 + static_cast<std::int64_t>(h->ts.tv_usec)};
  t->handler(t->context, p);
}

} // namespace

PacketSource::PacketSource(pcap* handle, std::string description, std::string where, bool live)
    : m_pcap(handle), m_linktype(to_linktype(pcap_datalink(handle))), m_description(std::move(description)),
      m_where(std::move(where)), m_live(live) {}

PacketSource::PacketSource(std::unique_ptr<PcapFile> file, std::string description, std::string where)
    : m_file(std::move(file)), m_linktype(to_linktype(static_cast<int>(m_file->linktype()))),
      m_description(std::move(description)), m_where(std::move(where)) {}

PacketSource::PacketSource(PacketSource&& o) noexcept
    : m_pcap(std::exchange(o.m_pcap, nullptr)), m_file(std::move(o.m_file)), m_linktype(o.m_linktype),
      m_description(std::move(o.m_description)), m_where(std::move(o.m_where)), m_cut_short(std::move(o.m_cut_short)),
      m_live(o.m_live) {}

PacketSource& PacketSource::operator=(PacketSource&& o) noexcept {
  if (this != &o) {
    if (m_pcap) pcap_close(m_pcap);
    m_pcap = std::exchange(o.m_pcap, nullptr);
    m_file = std::move(o.m_file);
    m_linktype = o.m_linktype;
    m_description = std::move(o.m_description);
    m_where = std::move(o.m_where);
    m_cut_short = std::move(o.m_cut_short);
    m_live = o.m_live;
  }
  return *this;
}

PacketSource::~PacketSource() {
  if (m_pcap) pcap_close(m_pcap);
}

PacketSource PacketSource::open_file(const std::string& path, const std::string& user_filter) {
  // A filter needs libpcap's BPF over its own records; without one, a classic pcap file is mapped.
  if (auto mapped = user_filter.empty() ? PcapFile::open(path) : nullptr) {
    PacketSource s(std::move(mapped), "pcap:" + path, path);
    if (!dissect::supported_link(s.m_linktype)) {
      const int dlt = s.m_linktype == static_cast<std::uint32_t>(dissect::LinkType::Raw) ? DLT_RAW : static_cast<int>(s.m_linktype);
      const char* name = pcap_datalink_val_to_name(dlt);
      throw base::UserError(base::Location{path, 0, 0},
                            "unsupported link type " + std::string(name ? name : std::to_string(s.m_linktype)),
                            "netmap reads Ethernet, Linux cooked (v1, v2), raw IP and BSD loopback captures");
    }
    return s;
  }
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap* p = pcap_open_offline(path.c_str(), err);
  const std::string shown = path == "-" ? "<stdin>" : path;
  std::string why = printable(err);
  if (why.rfind(path + ": ", 0) == 0) why.erase(0, path.size() + 2); // the location names it already
  if (!p)
    throw base::UserError(base::Location{shown, 0, 0}, "cannot read capture: " + why,
                          "expected a pcap or pcapng file (tcpdump -w, tshark -w, dumpcap)");
  PacketSource s(p, "pcap:" + shown, shown, false);
  if (!dissect::supported_link(s.m_linktype)) {
    const char* name = pcap_datalink_val_to_name(pcap_datalink(p));
    throw base::UserError(base::Location{shown, 0, 0},
                          "unsupported link type " + std::string(name ? name : std::to_string(s.m_linktype)),
                          "netmap reads Ethernet, Linux cooked (v1, v2), raw IP and BSD loopback captures");
  }
  if (!user_filter.empty()) s.install_filter(user_filter);
  return s;
}

PacketSource PacketSource::open_live(const LiveOptions& o) {
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap* p = pcap_create(o.interface.c_str(), err);
  if (!p) throw base::UserError("cannot capture on '" + base::escape_bytes(o.interface) + "': " + printable(err));
  pcap_set_snaplen(p, o.snaplen);
  pcap_set_promisc(p, 0); // netmap maps this host's own traffic
  pcap_set_buffer_size(p, o.buffer_bytes);
  // Immediate mode off: the kernel hands over whole blocks (fewer wakeups under load); the short
  // timeout bounds how late a quiet trickle of packets arrives.
  pcap_set_immediate_mode(p, 0);
  pcap_set_timeout(p, o.timeout_ms);
  int rc = pcap_activate(p);
  if (rc < 0) live_error(p, rc, o.interface);
  PacketSource s(p, "iface:" + o.interface, o.interface, true);
  if (!dissect::supported_link(s.m_linktype))
    throw base::UserError("interface '" + base::escape_bytes(o.interface) + "' has unsupported link type " +
                          std::to_string(s.m_linktype));
  // A packet socket on a loopback device sees every packet twice, leaving and arriving; keep the
  // arrivals only so counts are not doubled ("any" already reports loopback traffic once).
  if (is_loopback(o.interface)) (void)pcap_setdirection(p, PCAP_D_IN);
  if (pcap_setnonblock(p, 1, err) != 0) throw base::UserError("cannot capture on '" + o.interface + "': " + err);
  // Validate the user's expression alone first, so its error message is about their text.
  if (!o.user_filter.empty()) s.install_filter(o.user_filter);
  std::string ours = o.name_filter ? name_filter(static_cast<dissect::LinkType>(s.m_linktype)) : "";
  if (!ours.empty()) s.install_filter(combine_filters(ours, o.user_filter));
  return s;
}

void PacketSource::install_filter(const std::string& expression) {
  bpf_program prog{};
  if (pcap_compile(m_pcap, &prog, expression.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0)
    throw base::UserError("bad --filter expression '" + printable(expression) +
                              "': " + printable(pcap_geterr(m_pcap)),
                          "the syntax is pcap-filter(7), as for tcpdump");
  int rc = pcap_setfilter(m_pcap, &prog);
  pcap_freecode(&prog);
  if (rc != 0) throw base::UserError("cannot install the capture filter on " + m_where + ": " + printable(pcap_geterr(m_pcap)));
}

int PacketSource::dispatch_file(int max, Handler handler, void* context) {
  int n = 0;
  PcapRecord r;
  while (max <= 0 || n < max) {
    if (m_break.load(std::memory_order_relaxed)) {
      m_break.store(false, std::memory_order_relaxed);
      return n;
    }
    switch (m_file->next(r)) {
    case PcapFile::Status::End:
      return n == 0 ? -1 : n;
    case PcapFile::Status::CutShort:
      m_cut_short = printable(m_file->error());
      return n == 0 ? -1 : n;
    case PcapFile::Status::Error:
      throw base::UserError(base::Location{m_where, 0, 0}, "cannot read capture: " + printable(m_file->error()),
                            "the file is corrupt; nothing was written");
    case PcapFile::Status::Packet:
      handler(context, Packet{r.bytes, r.time_us});
      ++n;
      break;
    }
  }
  return n;
}

int PacketSource::dispatch(int max, Handler handler, void* context) {
  if (m_file) return dispatch_file(max, handler, context);
  Trampoline t{handler, context};
  int n = pcap_dispatch(m_pcap, max, on_pcap_packet, reinterpret_cast<u_char*>(&t));
  if (n == PCAP_ERROR_BREAK) return 0;
  if (n == PCAP_ERROR) {
    std::string why = printable(pcap_geterr(m_pcap));
    if (m_live) throw base::UserError("capture on '" + m_where + "' failed: " + why);
    // libpcap has no error code for a file that ends partway through a record, only these words
    // (sf-pcap.c, sf-pcapng.c); the packets before it were already handed out.
    if (why.starts_with("truncated dump file;") || why.starts_with("truncated pcapng dump file;")) {
      m_cut_short = why;
      return -1;
    }
    throw base::UserError(base::Location{m_where, 0, 0}, "cannot read capture: " + why,
                          "the file is corrupt; nothing was written");
  }
  if (n == 0 && !m_live) return -1; // a savefile returns 0 only at its end
  return n;
}

void PacketSource::break_loop() noexcept {
  if (m_pcap) pcap_breakloop(m_pcap);
  else m_break.store(true, std::memory_order_relaxed);
}

int PacketSource::selectable_fd() const noexcept { return m_live ? pcap_get_selectable_fd(m_pcap) : -1; }

SourceStats PacketSource::stats() const {
  SourceStats s;
  if (!m_live) return s;
  pcap_stat ps{};
  if (pcap_stats(m_pcap, &ps) != 0) return s;
  s.received = ps.ps_recv;
  s.dropped_kernel = ps.ps_drop;
  s.dropped_interface = ps.ps_ifdrop;
  return s;
}

} // namespace netmap::capture
