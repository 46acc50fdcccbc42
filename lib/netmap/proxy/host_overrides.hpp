#pragma once
// curl-style `--resolve NAME=ADDR` overrides, shared by `netmap proxy` and `netmap replay`, and
// hosts-file lines (NETMAP_PROXY_HOSTS): the proxy connects NAME's upstream to ADDR instead of
// resolving it.

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace netmap::proxy {

/// Parses NAME=ADDR items into lowercased name → numeric address; throws base::UserError naming
/// the first item that is not NAME=ADDR with an IPv4 or IPv6 literal.
[[nodiscard]] std::map<std::string, std::string> parse_host_overrides(const std::vector<std::string>& items);
/// Parses hosts-file text ("ADDR NAME…" a line, '#' comments) into the same map; throws
/// base::UserError at `path`:line:1 for a line whose first word is not an IPv4 or IPv6 literal.
[[nodiscard]] std::map<std::string, std::string> parse_hosts_file(std::string_view text, const std::string& path);

} // namespace netmap::proxy
