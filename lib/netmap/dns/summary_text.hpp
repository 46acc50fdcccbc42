#pragma once
// The resolver's summary and counters as people and programs read them: the text printed when
// sandbox-dns stops (and on SIGUSR1), and the JSON of --json.

#include "netmap/dns/server.hpp"

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace netmap::dns {

/// Multi-line human rendering of counters (for the summary and SIGUSR1).
[[nodiscard]] std::string format_counters(const Counters& c);
/// Allowed names, blocked names (with the rule to add), clients, then the counters; ANSI colours
/// when `color`.
[[nodiscard]] std::string render_summary(const Summary& s, const Counters& c, bool color);
/// The same as a JSON object, with the addresses served (`listen`).
[[nodiscard]] nlohmann::json summary_json(const Summary& s, const Counters& c, const std::vector<std::string>& listen);

} // namespace netmap::dns
