#include "netmap/capture/packet_source.hpp"

#include "netmap/base/error.hpp"
#include "netmap/base/text.hpp"
#include "netmap/capture/kernel_filter.hpp"

#include <pcap/pcap.h>

#include <algorithm>
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

std::string link_name(std::uint32_t linktype) {
  const int dlt = linktype == static_cast<std::uint32_t>(dissect::LinkType::Raw) ? DLT_RAW : static_cast<int>(linktype);
  const char* name = pcap_datalink_val_to_name(dlt);
  return name ? name : std::to_string(linktype);
}

[[noreturn]] void unsupported_link(const std::string& where, std::uint32_t linktype) {
  throw base::UserError(base::Location{where, 0, 0}, "unsupported link type " + link_name(linktype),
                        "netmap reads Ethernet, Linux cooked (v1, v2), raw IP and BSD loopback captures");
}

[[noreturn]] void bad_filter(const std::string& expression, const std::string& why, const std::string& link) {
  throw base::UserError("bad --filter expression '" + printable(expression) + "'" +
                            (link.empty() ? "" : " for link type " + link) + ": " + printable(why),
                        "the syntax is pcap-filter(7), as for tcpdump");
}

// The --filter compiled for the link types a file is known to hold at open.
std::unique_ptr<OfflineFilter> file_filter(const std::string& expression, const std::vector<std::uint32_t>& links) {
  if (expression.empty()) return nullptr;
  auto f = std::make_unique<OfflineFilter>(expression);
  std::string why;
  for (std::uint32_t l : links)
    if (!f->prepare(l, why)) bad_filter(expression, why, links.size() > 1 ? link_name(l) : "");
  return f;
}

// libpcap cannot read a pcapng file whose interfaces have different link types; netmap's reader
// can, but only from a named file (it maps it). The file is not corrupt: say what to do instead.
[[noreturn]] void read_error(const std::string& where, const std::string& why) {
  if (why.find("different from the type of the first interface") != std::string::npos)
    throw base::UserError(base::Location{where, 0, 0}, "cannot read capture: " + why,
                          "this pcapng file mixes link types, which netmap reads only from a named file: "
                          "save it and give -r FILE");
  throw base::UserError(base::Location{where, 0, 0}, "cannot read capture: " + why,
                        "the file is corrupt; nothing was written");
}

struct Trampoline {
  PacketSource::Handler handler;
  void* context;
  std::uint32_t linktype;
};

extern "C" void on_pcap_packet(u_char* user, const pcap_pkthdr* h, const u_char* bytes) {
  auto* t = reinterpret_cast<Trampoline*>(user);
  PacketSource::Packet p{{bytes, h->caplen},
                         static_cast<std::int64_t>(h->ts.tv_sec) * 1000000 + static_cast<std::int64_t>(h->ts.tv_usec),
                         t->linktype};
  t->handler(t->context, p);
}

} // namespace

PacketSource::PacketSource(pcap* handle, std::string description, std::string where, bool live)
    : m_pcap(handle), m_linktype(to_linktype(pcap_datalink(handle))), m_description(std::move(description)),
      m_where(std::move(where)), m_live(live) {}

PacketSource::PacketSource(std::unique_ptr<PcapFile> file, std::unique_ptr<PcapngFile> pcapng,
                           std::unique_ptr<OfflineFilter> filter, std::uint32_t linktype, std::string description,
                           std::string where)
    : m_file(std::move(file)), m_pcapng(std::move(pcapng)), m_filter(std::move(filter)), m_linktype(linktype),
      m_description(std::move(description)), m_where(std::move(where)) {}

PacketSource::PacketSource(PacketSource&& o) noexcept
    : m_pcap(std::exchange(o.m_pcap, nullptr)), m_file(std::move(o.m_file)), m_pcapng(std::move(o.m_pcapng)),
      m_filter(std::move(o.m_filter)), m_linktype(o.m_linktype),
      m_description(std::move(o.m_description)), m_where(std::move(o.m_where)), m_cut_short(std::move(o.m_cut_short)),
      m_live(o.m_live) {}

PacketSource& PacketSource::operator=(PacketSource&& o) noexcept {
  if (this != &o) {
    if (m_pcap) pcap_close(m_pcap);
    m_pcap = std::exchange(o.m_pcap, nullptr);
    m_file = std::move(o.m_file);
    m_pcapng = std::move(o.m_pcapng);
    m_filter = std::move(o.m_filter);
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
  if (auto mapped = PcapFile::open(path)) {
    const std::uint32_t link = to_linktype(static_cast<int>(mapped->linktype()));
    if (!dissect::supported_link(link)) unsupported_link(path, link);
    auto filter = file_filter(user_filter, {link});
    return PacketSource(std::move(mapped), nullptr, std::move(filter), link, "pcap:" + path, path);
  }
  // Each pcapng packet is read with its own interface's link type; the file is refused only when
  // none of the interfaces it starts with is one netmap reads (packets of the others are counted
  // as unsupported-link).
  if (auto ng = PcapngFile::open(path)) {
    const auto& links = ng->first_linktypes();
    auto readable = std::find_if(links.begin(), links.end(), [](std::uint32_t l) { return dissect::supported_link(l); });
    if (!links.empty() && readable == links.end()) unsupported_link(path, links.front());
    const std::uint32_t link = links.empty() ? static_cast<std::uint32_t>(dissect::LinkType::Ethernet) : *readable;
    // No interface before the first packet: the expression is still checked now, as for Ethernet.
    auto filter = file_filter(user_filter, links.empty() ? std::vector<std::uint32_t>{link} : links);
    return PacketSource(nullptr, std::move(ng), std::move(filter), link, "pcap:" + path, path);
  }
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap* p = pcap_open_offline(path.c_str(), err);
  const std::string shown = path == "-" ? "<stdin>" : path;
  std::string why = printable(err);
  if (why.rfind(path + ": ", 0) == 0) why.erase(0, path.size() + 2); // the location names it already
  if (!p && why.find("different from the type of the first interface") != std::string::npos) read_error(shown, why);
  if (!p)
    throw base::UserError(base::Location{shown, 0, 0}, "cannot read capture: " + why,
                          "expected a pcap or pcapng file (tcpdump -w, tshark -w, dumpcap)");
  PacketSource s(p, "pcap:" + shown, shown, false);
  if (!dissect::supported_link(s.m_linktype)) unsupported_link(shown, s.m_linktype);
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

bool PacketSource::passes(const PcapRecord& r) {
  if (!m_filter->prepared(r.linktype)) { // an interface first described partway through the file
    std::string why;
    if (!m_filter->prepare(r.linktype, why)) bad_filter(m_filter->expression(), why, link_name(r.linktype));
  }
  return m_filter->matches(r);
}

PcapFile::Status PacketSource::next_record(PcapRecord& r) { return m_file ? m_file->next(r) : m_pcapng->next(r); }

const std::string& PacketSource::file_error() const { return m_file ? m_file->error() : m_pcapng->error(); }

int PacketSource::dispatch_file(int max, Handler handler, void* context) {
  int n = 0;
  PcapRecord r;
  while (max <= 0 || n < max) {
    if (m_break.load(std::memory_order_relaxed)) {
      m_break.store(false, std::memory_order_relaxed);
      return n;
    }
    switch (next_record(r)) {
    case PcapFile::Status::End:
      return n == 0 ? -1 : n;
    case PcapFile::Status::CutShort:
      m_cut_short = printable(file_error());
      return n == 0 ? -1 : n;
    case PcapFile::Status::Error:
      read_error(m_where, printable(file_error()));
    case PcapFile::Status::Packet:
      if (m_filter && !passes(r)) break;
      handler(context, Packet{r.bytes, r.time_us, r.linktype});
      ++n;
      break;
    }
  }
  return n;
}

int PacketSource::dispatch(int max, Handler handler, void* context) {
  if (m_file || m_pcapng) return dispatch_file(max, handler, context);
  Trampoline t{handler, context, m_linktype};
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
    read_error(m_where, why);
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
