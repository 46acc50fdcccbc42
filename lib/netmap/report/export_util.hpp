#pragma once
// Helpers the exporters share: entry spellings, comments, upstream resolver addresses.

#include "netmap/report/entries.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace netmap::report {

/// The target spellings of one entry (two for apex-and-subdomains on exact-host targets).
[[nodiscard]] std::vector<std::string> entry_texts(const ExportEntry& e);
/// "allow rule at netmap.yaml:3:5; widened: …" — why the entry is there and what changed.
[[nodiscard]] std::string entry_comment(const ExportEntry& e);
/// "name: note" lines for entries whose translation carries a note, plus the preset notes.
[[nodiscard]] std::vector<std::string> entry_notes(const ExportInput& in, policy::Target t,
                                                   const std::vector<ExportEntry>& allows,
                                                   const std::vector<ExportEntry>& denies);

/// The entries the target can express; for each other one (an allow-everything rule) a line
/// "left out: * (allow rule at …): impossible: …" goes to `left_out` (check reports them too).
[[nodiscard]] std::vector<ExportEntry> drop_impossible(std::vector<ExportEntry> entries, std::vector<std::string>& left_out);

/// A resolver to forward to.
struct Upstream {
  std::string address; ///< IPv4 or IPv6 literal, no brackets
  std::uint16_t port = 53;
};

/// Parses "ADDR", "ADDR:PORT" (IPv4), "[ADDR]:PORT" or "ADDR#PORT"/"ADDR@PORT"; throws base::UserError.
[[nodiscard]] Upstream parse_upstream(const std::string& text);
/// The upstreams to use: `upstream` ("ADDR[#PORT],…"), else the policy's custom_resolvers; may be empty.
[[nodiscard]] std::vector<Upstream> export_upstreams(const ExportInput& in, const std::string& upstream);

} // namespace netmap::report
