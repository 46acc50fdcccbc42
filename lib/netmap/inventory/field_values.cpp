#include "netmap/inventory/field_values.hpp"

#include "netmap/policy/domain_name.hpp"

#include <arpa/inet.h>

#include <array>

namespace netmap::inventory {

std::string normalized_name(std::string_view name) {
  if (policy::is_canonical_host(name)) return std::string(name); // what netmap writes: no parse
  auto dn = policy::DomainName::parse(name);
  return dn ? dn.value().str() : std::string(name);
}

std::optional<std::string> normalized_address(std::string_view address) {
  if (address.empty() || address.size() > INET6_ADDRSTRLEN) return std::nullopt;
  const std::string text(address); // inet_pton needs a terminated string
  unsigned char bytes[16];
  char out[INET6_ADDRSTRLEN];
  for (int family : {AF_INET, AF_INET6})
    if (inet_pton(family, text.c_str(), bytes) == 1 && inet_ntop(family, bytes, out, sizeof out)) return std::string(out);
  return std::nullopt;
}

namespace {
// The resolver and the proxy record why they refused beyond the policy's word (dns/worker.cpp,
// proxy/worker_request.cpp); their event logs must read back.
constexpr std::array<std::string_view, 11> k_known_verdicts{"allowed",  "denied",        "mock",       "ignored",
                                                            "unlisted", "invalid",       "blocked-alias",
                                                            "ip-literal", "method-blocked", "loop", "local-address"};
} // namespace

bool is_known_verdict(std::string_view verdict) noexcept {
  for (auto k : k_known_verdicts)
    if (k == verdict) return true;
  return false;
}

std::string known_verdicts() {
  std::string out;
  for (auto k : k_known_verdicts) {
    if (!out.empty()) out += ", ";
    out += k;
  }
  return out;
}

} // namespace netmap::inventory
