#include "netmap/inventory/domain_table.hpp"

#include "netmap/base/clock.hpp"

#include <algorithm>
#include <string>

namespace netmap::inventory {

namespace {

constexpr std::uint32_t k_free = 0;

bool counts_as_blocked(const Event& e) {
  // The same test as Inventory::add: a fence's refusal, never discover's own observations.
  return (e.verdict == "denied" || e.verdict == "unlisted" || e.verdict == "mock" || e.verdict == "invalid" ||
          e.status == 403 || e.rcode == "NXDOMAIN" || e.rcode == "REFUSED") &&
         e.producer != "discover";
}

std::string process_text(const Event& e) {
  return std::to_string(e.pid) + (e.command.empty() ? "" : " " + e.command);
}

} // namespace

std::uint32_t DomainTable::find(std::string_view name, std::uint64_t h) const noexcept {
  const std::size_t mask = m_index.size() - 1;
  for (std::size_t i = h & mask;; i = (i + 1) & mask) {
    const std::uint32_t slot = m_index[i];
    if (slot == k_free) return k_free;
    if (m_strings->view(m_records[slot - 1].name) == name) return slot;
  }
}

bool DomainTable::contains(std::string_view name) const noexcept {
  return find(name, StringPool::hash(name)) != k_free;
}

DomainTable::Record& DomainTable::record(std::string_view name) {
  const std::uint64_t h = StringPool::hash(name);
  if (std::uint32_t slot = find(name, h); slot != k_free) return m_records[slot - 1];
  if ((m_records.size() + 1) * 2 > m_index.size()) grow_index();
  Record& r = m_records.emplace_back();
  // Interned, not merely stored: the address map and notes name the same domains.
  r.name = m_strings->intern(name);
  const std::size_t mask = m_index.size() - 1;
  std::size_t i = h & mask;
  while (m_index[i] != k_free) i = (i + 1) & mask;
  m_index[i] = static_cast<std::uint32_t>(m_records.size());
  return r;
}

void DomainTable::grow_index() {
  std::vector<std::uint32_t> old(m_index.size() * 2, k_free);
  old.swap(m_index);
  const std::size_t mask = m_index.size() - 1;
  for (std::uint32_t slot : old) {
    if (slot == k_free) continue;
    std::size_t i = StringPool::hash(m_strings->view(m_records[slot - 1].name)) & mask;
    while (m_index[i] != k_free) i = (i + 1) & mask;
    m_index[i] = slot;
  }
}

void DomainTable::insert_value(std::uint32_t& head, std::uint32_t value) {
  // Sets here are short (a name's ports, addresses, notes): a walk beats a tree's nodes.
  for (std::uint32_t n = head; n != 0; n = m_nodes[n].next)
    if (m_nodes[n].value == value) return;
  m_nodes.push_back(Node{value, head});
  head = static_cast<std::uint32_t>(m_nodes.size() - 1);
}

void DomainTable::add(const Event& e) {
  if (e.name.empty()) return;
  Record& d = record(e.name);
  d.via |= 1u << static_cast<unsigned>(e.via);
  if (e.port) insert_value(d.ports, e.port);
  if (!e.address.empty()) insert_value(d.addresses, m_strings->intern(e.address));
  for (const auto& a : e.answers) insert_value(d.addresses, m_strings->intern(a));
  ++d.count;
  if (counts_as_blocked(e)) ++d.blocked;
  // As Inventory::add: a time no inventory can write is unknown.
  const std::int64_t t = base::rfc3339_representable(e.time_us) ? e.time_us : 0;
  if (t != 0 && (d.first_us == 0 || t < d.first_us)) d.first_us = t;
  if (t > d.last_us) d.last_us = t;
  if (!e.note.empty()) insert_value(d.notes, m_strings->intern(e.note));
  if (e.pid) insert_value(d.processes, m_strings->intern(process_text(e)));
  if (!e.verdict.empty()) {
    d.verdict = m_strings->intern(e.verdict);
    d.rule = m_strings->intern(e.rule);
    d.rule_source = m_strings->intern(e.rule_source);
  }
}

void DomainTable::add_addresses(std::string_view name, const std::vector<std::string>& addresses) {
  const std::uint32_t slot = find(name, StringPool::hash(name));
  if (slot == k_free) return;
  Record& d = m_records[slot - 1];
  for (const auto& a : addresses)
    if (!a.empty()) insert_value(d.addresses, m_strings->intern(a));
}

DomainRecord DomainTable::expand(const Record& r) const {
  DomainRecord d;
  d.name = m_strings->view(r.name);
  for (unsigned v = 0; v < 32; ++v)
    if (r.via & (1u << v)) d.via.insert(seen_via_name(static_cast<SeenVia>(v)));
  auto strings = [&](std::uint32_t head, std::set<std::string>& out) {
    for (std::uint32_t n = head; n != 0; n = m_nodes[n].next) out.emplace(m_strings->view(m_nodes[n].value));
  };
  for (std::uint32_t n = r.ports; n != 0; n = m_nodes[n].next) d.ports.insert(static_cast<std::uint16_t>(m_nodes[n].value));
  strings(r.addresses, d.addresses);
  strings(r.notes, d.notes);
  strings(r.processes, d.processes);
  d.count = r.count;
  d.blocked = r.blocked;
  d.first_us = r.first_us;
  d.last_us = r.last_us;
  d.verdict = m_strings->view(r.verdict);
  d.rule = m_strings->view(r.rule);
  d.rule_source = m_strings->view(r.rule_source);
  return d;
}

void DomainTable::for_each(const std::function<void(DomainRecord&)>& f) const {
  // Sorted on each name's first eight bytes as a big-endian number (the order of std::string's
  // compare), falling back to the whole names only when those tie: most comparisons stay in cache.
  struct Key {
    std::uint64_t prefix;
    std::uint32_t record;
  };
  std::vector<Key> order(m_records.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) {
    const std::string_view n = m_strings->view(m_records[i].name);
    std::uint64_t prefix = 0;
    for (std::size_t k = 0; k < 8; ++k)
      prefix = (prefix << 8) | (k < n.size() ? static_cast<unsigned char>(n[k]) : 0u);
    order[i] = Key{prefix, i};
  }
  std::sort(order.begin(), order.end(), [&](const Key& a, const Key& b) {
    if (a.prefix != b.prefix) return a.prefix < b.prefix;
    return m_strings->view(m_records[a.record].name) < m_strings->view(m_records[b.record].name);
  });
  for (const Key& k : order) {
    DomainRecord d = expand(m_records[k.record]);
    f(d);
  }
}

void DomainTable::move_into(Inventory& inv) {
  for (const Record& r : m_records) {
    DomainRecord d = expand(r);
    auto [it, fresh] = inv.domains.try_emplace(d.name);
    if (fresh) {
      it->second = std::move(d);
      continue;
    }
    Inventory one;
    one.domains.emplace(d.name, std::move(d));
    inv.merge(one);
  }
  *this = DomainTable(m_strings);
}

std::size_t DomainTable::memory_bytes() const noexcept {
  return m_records.size() * sizeof(Record) + m_nodes.size() * sizeof(Node) +
         m_index.size() * sizeof(std::uint32_t) + m_strings->memory_bytes();
}

} // namespace netmap::inventory
