#pragma once
// libpcap behind one small type: a capture file (pcap or pcapng, "-" = stdin) or a live interface,
// with the filter installed, statistics, and errors turned into base::UserError. Capture files
// given by name are read by netmap's own mapped readers (pcap_file.hpp, pcapng_file.hpp), a
// --filter applied per link type (offline_filter.hpp); libpcap reads stdin and old pcap versions.

#include "netmap/capture/offline_filter.hpp"
#include "netmap/capture/pcap_file.hpp"
#include "netmap/capture/pcapng_file.hpp"
#include "netmap/dissect/dissector.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

struct pcap;
struct pcap_pkthdr;

namespace netmap::capture {

/// How to open a live capture.
struct LiveOptions {
  std::string interface = "any";          ///< libpcap device; "any" = every interface, loopback included
  int snaplen = 65535;                     ///< bytes kept per packet (a ClientHello fits)
  int buffer_bytes = 64 * 1024 * 1024;     ///< kernel ring size, sized for bursts
  int timeout_ms = 100;                    ///< delivery timeout (immediate mode stays off)
  bool name_filter = true;                 ///< install netmap's kernel filter (kernel_filter.hpp)
  std::string user_filter;                 ///< --filter, ANDed with netmap's
};

/// Packet counters from libpcap (pcap_stats); all zero for files.
struct SourceStats {
  std::uint64_t received = 0;          ///< packets that passed the filter
  std::uint64_t dropped_kernel = 0;    ///< dropped for lack of buffer space
  std::uint64_t dropped_interface = 0; ///< dropped by the interface or its driver
};

/// An open libpcap handle. Move-only; closes on destruction.
class PacketSource {
public:
  /// Opens a capture file ("-" reads stdin) with an optional BPF filter. Throws base::UserError.
  [[nodiscard]] static PacketSource open_file(const std::string& path, const std::string& user_filter);
  /// Opens and activates a live capture. Throws base::UserError (naming CAP_NET_RAW when denied).
  [[nodiscard]] static PacketSource open_live(const LiveOptions& options);

  PacketSource(PacketSource&& o) noexcept;
  PacketSource& operator=(PacketSource&& o) noexcept;
  PacketSource(const PacketSource&) = delete;
  PacketSource& operator=(const PacketSource&) = delete;
  ~PacketSource();

  /// A frame handed to dispatch()'s callback.
  struct Packet {
    std::span<const std::uint8_t> bytes; ///< as captured (may be shorter than on the wire)
    std::int64_t time_us = 0;            ///< capture timestamp
    std::uint32_t linktype = 0;          ///< LINKTYPE_ value of the packet's interface
  };
  /// Packet handler: a plain function pointer and its context, so the per-packet call stays cheap.
  using Handler = void (*)(void* context, const Packet& packet);

  /// Hands up to `max` waiting packets (-1: a buffer's worth; for files, all) to `handler`.
  /// Returns the count, 0 at a live timeout, -1 at the end of a file. A file that ends partway
  /// through a packet ends there (see cut_short()). Throws base::UserError on a read error (a
  /// corrupt file), naming the source.
  int dispatch(int max, Handler handler, void* context);
  /// Makes dispatch() return as soon as possible (safe from another thread or a signal handler).
  void break_loop() noexcept;
  /// The descriptor to poll() for readiness on live captures; -1 for files.
  [[nodiscard]] int selectable_fd() const noexcept;
  /// libpcap statistics (live captures only).
  [[nodiscard]] SourceStats stats() const;
  /// The link type (LINKTYPE_ value); a pcapng file's first interface's (each Packet says its own).
  [[nodiscard]] std::uint32_t linktype() const noexcept { return m_linktype; }
  /// What was opened, for messages and the inventory's sources ("pcap:FILE", "iface:any").
  [[nodiscard]] const std::string& description() const noexcept { return m_description; }
  /// The file ("<stdin>" for -) or interface, as messages name it.
  [[nodiscard]] const std::string& where() const noexcept { return m_where; }
  /// True for a live capture.
  [[nodiscard]] bool live() const noexcept { return m_live; }
  /// Why a file ended early, partway through its last packet (libpcap's words); empty otherwise.
  [[nodiscard]] const std::string& cut_short() const noexcept { return m_cut_short; }

private:
  PacketSource(pcap* handle, std::string description, std::string where, bool live);
  PacketSource(std::unique_ptr<PcapFile> file, std::unique_ptr<PcapngFile> pcapng,
               std::unique_ptr<OfflineFilter> filter, std::uint32_t linktype, std::string description,
               std::string where);
  void install_filter(const std::string& expression);
  bool passes(const PcapRecord& r);
  int dispatch_file(int max, Handler handler, void* context);
  /// The next record of whichever mapped reader is open (m_file or m_pcapng).
  PcapFile::Status next_record(PcapRecord& r);
  /// Why that reader's last next_record() failed.
  [[nodiscard]] const std::string& file_error() const;

  pcap* m_pcap = nullptr;                ///< null when m_file reads
  std::unique_ptr<PcapFile> m_file;      ///< a mapped classic pcap file
  std::unique_ptr<PcapngFile> m_pcapng;  ///< a mapped pcapng file
  std::unique_ptr<OfflineFilter> m_filter; ///< --filter over m_file or m_pcapng
  std::atomic<bool> m_break{false};      ///< break_loop() for m_file
  std::uint32_t m_linktype = 0;
  std::string m_description;
  std::string m_where; ///< the file or interface named in errors
  std::string m_cut_short;
  bool m_live = false;
};

} // namespace netmap::capture
