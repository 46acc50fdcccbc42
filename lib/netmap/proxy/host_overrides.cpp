#include "netmap/proxy/host_overrides.hpp"

#include "netmap/base/error.hpp"
#include "netmap/base/sock_addr.hpp"
#include "netmap/base/text.hpp"

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

} // namespace netmap::proxy
