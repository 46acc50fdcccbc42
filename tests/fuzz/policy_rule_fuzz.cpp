// Fuzzes rule parsing: never crash; a parsed rule's text() must parse back to the same rule.

#include "netmap/policy/rule.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (auto bare : {netmap::policy::MatchKind::Exact, netmap::policy::MatchKind::ApexAndSubdomains}) {
    auto rule = netmap::policy::parse_rule(text, bare);
    if (!rule) continue;
    auto again = netmap::policy::parse_rule(rule->text());
    if (!again || again->text() != rule->text() || again->kind != rule->kind) std::abort();
    if (!rule->covered_by(*rule)) std::abort();
  }
  return 0;
}
