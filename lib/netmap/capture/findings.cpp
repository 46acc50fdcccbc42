#include "netmap/capture/findings.hpp"

namespace netmap::capture {

namespace {

// The same verdict Inventory::apply_policy sets.
void decide(const policy::Matcher& m, inventory::DomainRecord& d) {
  auto v = m.decide(d.name);
  d.verdict = policy::decision_name(v.decision);
  d.rule = v.rule ? v.rule->text() : "";
  d.rule_source = v.rule ? v.rule->source.str() : "";
}

} // namespace

void Findings::for_each_domain(const std::function<void(const inventory::DomainRecord&)>& f) const {
  domains.for_each([&](inventory::DomainRecord& d) {
    if (matcher) decide(*matcher, d);
    f(d);
  });
}

inventory::Inventory Findings::to_inventory() && {
  inventory::Inventory inv = std::move(inventory);
  domains.move_into(inv);
  if (matcher) inv.apply_policy(*matcher);
  return inv;
}

} // namespace netmap::capture
