#pragma once
// curl-style `--resolve NAME=ADDR` overrides, shared by `netmap proxy` and `netmap replay`: the
// proxy connects NAME's upstream to ADDR instead of resolving it.

#include <map>
#include <string>
#include <vector>

namespace netmap::proxy {

/// Parses NAME=ADDR items into lowercased name → numeric address; throws base::UserError naming
/// the first item that is not NAME=ADDR with an IPv4 or IPv6 literal.
[[nodiscard]] std::map<std::string, std::string> parse_host_overrides(const std::vector<std::string>& items);

} // namespace netmap::proxy
