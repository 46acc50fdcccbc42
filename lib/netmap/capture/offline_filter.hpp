#pragma once
// A --filter expression applied to records read by netmap's own file readers: libpcap compiles it
// once per link type (a pcapng file may mix them), and pcap_offline_filter() runs it, which is
// what libpcap's own file reader does with a filter.

#include "netmap/capture/pcap_file.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace netmap::capture {

/// One BPF expression, compiled for each link type it meets.
class OfflineFilter {
public:
  /// A filter for `expression` (compiled by prepare()).
  explicit OfflineFilter(std::string expression);
  OfflineFilter(const OfflineFilter&) = delete;
  OfflineFilter& operator=(const OfflineFilter&) = delete;
  ~OfflineFilter();

  /// Compiles the expression for `linktype` unless done already; false with libpcap's reason
  /// in `error` when it does not compile. Link types the dissector cannot read are not filtered.
  [[nodiscard]] bool prepare(std::uint32_t linktype, std::string& error);
  /// True when `r` passes (its link type must have been prepared).
  [[nodiscard]] bool matches(const PcapRecord& r) const noexcept;
  /// True when prepare() succeeded for `linktype`.
  [[nodiscard]] bool prepared(std::uint32_t linktype) const noexcept;
  /// The expression.
  [[nodiscard]] const std::string& expression() const noexcept { return m_expression; }

private:
  struct Program;
  [[nodiscard]] const Program* find(std::uint32_t linktype) const noexcept;

  std::string m_expression;
  std::vector<std::unique_ptr<Program>> m_programs; ///< a few at most: one per link type
};

} // namespace netmap::capture
