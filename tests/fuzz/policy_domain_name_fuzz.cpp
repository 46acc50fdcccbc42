// Fuzzes DomainName::parse and the matcher with arbitrary bytes: never crash, and whatever parses
// must be stable (parsing the normalized form gives the same name) and within RFC 1035 lengths;
// is_canonical_host (the matcher's shortcut past parse) says yes exactly when parse returns the
// text unchanged.

#include "netmap/policy/domain_name.hpp"
#include "netmap/policy/matcher.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto name = netmap::policy::DomainName::parse(text);
  if (netmap::policy::is_canonical_host(text) != (name && name->str() == text)) std::abort();
  if (name) {
    if (name->str().size() > 253) std::abort();
    auto again = netmap::policy::DomainName::parse(name->str());
    if (!again || again->str() != name->str()) std::abort();
  }
  static const netmap::policy::Matcher* matcher = [] {
    auto* m = new netmap::policy::Matcher();
    for (const char* r : {"example.com", "*.example.org", "**.test", "*"}) {
      auto rule = netmap::policy::parse_rule(r).value();
      if (rule.kind == netmap::policy::MatchKind::Any) rule.action = netmap::policy::Action::Ignore;
      m->add(rule);
    }
    return m;
  }();
  (void)matcher->decide(text);
  return 0;
}
