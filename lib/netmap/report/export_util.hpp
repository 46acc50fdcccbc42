#pragma once
// Helpers the exporters share: entry spellings, comments, upstream resolver addresses.

#include "netmap/report/entries.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace netmap::report {

struct ExportPlan;

/// The target spellings of one entry (two for apex-and-subdomains on exact-host targets).
[[nodiscard]] std::vector<std::string> entry_texts(const ExportEntry& e);
/// "allow rule at netmap.yaml:3:5; widened: …" — why the entry is there and what changed.
[[nodiscard]] std::string entry_comment(const ExportEntry& e);
/// What a JSON target cannot say in its file, one line each for stderr: each entry's note, then
/// the plan's left-out and not-enforced lines.
[[nodiscard]] std::vector<std::string> plan_notes(const ExportPlan& plan);

/// A resolver to forward to.
struct Upstream {
  std::string address; ///< IPv4 or IPv6 literal, no brackets
  std::uint16_t port = 53;
};

/// Parses "ADDR", "ADDR:PORT" (IPv4), "[ADDR]:PORT" or "ADDR#PORT"/"ADDR@PORT"; throws base::UserError.
[[nodiscard]] Upstream parse_upstream(const std::string& text);
/// The upstreams to use: `upstream` ("ADDR[#PORT],…", no empty element), else the policy's
/// custom_resolvers; may be empty. Throws base::UserError.
[[nodiscard]] std::vector<Upstream> export_upstreams(const ExportInput& in, const std::string& upstream);
/// The `nameserver` addresses of a resolv.conf (port 53); empty when it names none or is unreadable.
[[nodiscard]] std::vector<Upstream> resolv_conf_upstreams(const std::string& path);
/// True for 127.0.0.0/8, ::1 and ::ffff:127.x.y.z.
[[nodiscard]] bool is_loopback(const Upstream& u);

} // namespace netmap::report
