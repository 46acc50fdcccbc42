#include "netmap/proxy/host_overrides.hpp"

#include "netmap/base/error.hpp"
#include "netmap/base/sock_addr.hpp"
#include "netmap/base/text.hpp"

#include <algorithm>

namespace netmap::proxy {

std::map<std::string, std::string> parse_host_overrides(const std::vector<std::string>& items) {
  std::map<std::string, std::string> out;
  for (const auto& r : items) {
    auto eq = r.find('=');
    // A name the resolver would have to look up again defeats the override: numeric only.
    if (eq == std::string::npos || eq == 0 || !base::sockaddr_of(r.substr(eq + 1), 0))
      throw base::UserError("--resolve '" + base::escape_bytes(r) + "' is not NAME=ADDR with a numeric address",
                            "e.g. --resolve registry.example=127.0.0.1");
    out[base::ascii_lower(r.substr(0, eq))] = r.substr(eq + 1);
  }
  return out;
}

std::map<std::string, std::string> parse_hosts_file(std::string_view text, const std::string& path) {
  std::map<std::string, std::string> out;
  int line_no = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t end = std::min(text.find('\n', pos), text.size());
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    auto words = base::split(line.substr(0, line.find('#')), " \t\r");
    if (words.empty()) continue;
    // Checked here, where the line is known, not as a 502 on the first request for the name.
    if (!base::sockaddr_of(words[0], 0))
      throw base::UserError(base::Location{path, line_no, 1}, "'" + base::printable(words[0]) + "' is not an IP address",
                            "NETMAP_PROXY_HOSTS names a hosts file: ADDRESS NAME… a line");
    for (std::size_t i = 1; i < words.size(); ++i) out[base::ascii_lower(words[i])] = words[0];
  }
  return out;
}

} // namespace netmap::proxy
